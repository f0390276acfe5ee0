package mysql

import (
	"context"
	"crypto/sha1"
	"database/sql"
	"encoding/hex"
	"fmt"
	"time"
)

// MaxNameLen is the identifier limit of MySQL and MariaDB.
const MaxNameLen = 64

// CreateShadow creates shadow as an empty copy of table and applies the ALTER
// to it, both under the server's global sql_mode (see ServerModeConn): the
// server validates the ALTER as it would its own, and its error is returned
// as is. created reports whether the shadow exists afterwards (and must be
// dropped on failure).
//
// keys, the table's foreign keys (under the names keyName gives them on the
// shadow), are added before the ALTER, which CREATE TABLE ... LIKE leaves
// out: the server then judges the ALTER as it would on the table (a key's
// column may not be dropped, its type must still match the parent's, a
// renamed column is renamed in the key). The caller drops them again.
func CreateShadow(ctx context.Context, db *sql.DB, database, table, shadow, alter string, keys []ForeignKey, keyName func(ForeignKey) string) (created bool, err error) {
	c, err := ServerModeConn(ctx, db)
	if err != nil {
		return false, err
	}
	defer Discard(c)
	if _, err := c.ExecContext(ctx, createShadowSQL(database, table, shadow)); err != nil {
		return false, fmt.Errorf("create shadow table %s (under the server's sql_mode): %w", shadow, err)
	}
	if len(keys) > 0 {
		for _, stmt := range []string{KeysOff, AddForeignKeysSQL(database, shadow, keys, keyName), keysOn} {
			if _, err := c.ExecContext(ctx, stmt); err != nil {
				return true, fmt.Errorf("add the table's foreign keys to the empty shadow table %s: %w", shadow, err)
			}
		}
	}
	if _, err := c.ExecContext(ctx, alterShadowSQL(database, shadow, alter)); err != nil {
		return true, fmt.Errorf("the server rejected the ALTER (applied to the empty shadow table %s under the server's sql_mode): %w", shadow, err)
	}
	return true, nil
}

// createShadowSQL creates shadow as an empty copy of table's definition.
func createShadowSQL(database, table, shadow string) string {
	return fmt.Sprintf("CREATE TABLE %s LIKE %s", qualified(database, shadow), qualified(database, table))
}

// alterShadowSQL applies the user's ALTER clauses, as written, to the shadow.
func alterShadowSQL(database, shadow, alter string) string {
	return fmt.Sprintf("ALTER TABLE %s %s", qualified(database, shadow), alter)
}

// DropTable drops a table hotswap created (shadow, sentry, old table on request).
func DropTable(ctx context.Context, q Querier, database, name string) error {
	if _, err := q.ExecContext(ctx, DropTableSQL(database, name)); err != nil {
		return fmt.Errorf("drop table %s: %w", name, err)
	}
	return nil
}

// DropTableSQL drops the table if it is there (a cleanup may run twice): what
// DropTable runs, and what a message tells a person to run.
func DropTableSQL(database, name string) string {
	return "DROP TABLE IF EXISTS " + qualified(database, name)
}

// RunLockName names the server-wide advisory lock that keeps two hotswap runs
// off the same table; GET_LOCK names are limited to 64 characters.
func RunLockName(database, table string) string {
	sum := sha1.Sum([]byte(database + "." + table))
	return "hotswap." + hex.EncodeToString(sum[:])[:40]
}

// GetLock takes the advisory lock, waiting at most a second: long enough for
// the server to notice that a run which just ended (or was killed) is gone,
// short enough to refuse at once next to a live run. False means another
// session holds it.
func GetLock(ctx context.Context, q Querier, name string) (bool, error) {
	var got *int64
	if err := q.QueryRowContext(ctx, "SELECT GET_LOCK(?, 1)", name).Scan(&got); err != nil {
		return false, fmt.Errorf("GET_LOCK(%s): %w", name, err)
	}
	return got != nil && *got == 1, nil
}

// ReleaseLock releases a lock GetLock took on the same session. Closing a
// *sql.Conn only returns the session to the pool, and closing the pool lets
// the server release the lock only once it notices the disconnect, so a run
// releases it explicitly: the next run may start the moment this one ends.
func ReleaseLock(ctx context.Context, q Querier, name string) error {
	if _, err := q.ExecContext(ctx, "DO RELEASE_LOCK(?)", name); err != nil {
		return fmt.Errorf("RELEASE_LOCK(%s): %w", name, err)
	}
	return nil
}

// CloseLockConn releases the lock held on c, best effort (a lost session has
// released it already), and closes c. It is the end of every run.
func CloseLockConn(c *sql.Conn, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = ReleaseLock(ctx, c, name)
	c.Close()
}
