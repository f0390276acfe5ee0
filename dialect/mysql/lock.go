package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// CreateSentry creates the empty table that takes the old table's name during
// the cut-over: while it exists, a RENAME of the table to that name fails.
func CreateSentry(ctx context.Context, q Querier, database, name string) error {
	_, err := q.ExecContext(ctx, fmt.Sprintf("CREATE TABLE %s (id INT PRIMARY KEY) ENGINE=InnoDB COMMENT='hotswap cut-over sentry: safe to drop when no hotswap runs'",
		qualified(database, name)))
	if err != nil {
		return fmt.Errorf("create cut-over sentry %s: %w", name, err)
	}
	return nil
}

// SetLockWait bounds how long this connection waits for metadata locks.
func SetLockWait(ctx context.Context, c *sql.Conn, d time.Duration) error {
	secs := max(1, int(d.Round(time.Second)/time.Second))
	if _, err := c.ExecContext(ctx, fmt.Sprintf("SET SESSION lock_wait_timeout = %d", secs)); err != nil {
		return fmt.Errorf("set lock_wait_timeout: %w", err)
	}
	return nil
}

// LockForSwap write-locks the table, the sentry and the shadow on c.
func LockForSwap(ctx context.Context, c *sql.Conn, database, table, sentry, shadow string) error {
	q := fmt.Sprintf("LOCK TABLES %s WRITE, %s WRITE, %s WRITE",
		qualified(database, table), qualified(database, sentry), qualified(database, shadow))
	if _, err := c.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("lock %s for cut-over: %w", table, err)
	}
	return nil
}

// DropSentryAndUnlock drops the sentry (write-locked by c) and releases the locks.
func DropSentryAndUnlock(ctx context.Context, c *sql.Conn, database, sentry string) error {
	if _, err := c.ExecContext(ctx, "DROP TABLE "+qualified(database, sentry)); err != nil {
		return fmt.Errorf("drop cut-over sentry %s: %w", sentry, err)
	}
	return Unlock(ctx, c)
}

// Unlock releases LOCK TABLES.
func Unlock(ctx context.Context, c *sql.Conn) error {
	if _, err := c.ExecContext(ctx, "UNLOCK TABLES"); err != nil {
		return fmt.Errorf("unlock tables: %w", err)
	}
	return nil
}

// SwapRename moves the table to old and the shadow to the table's name in one statement.
func SwapRename(ctx context.Context, c *sql.Conn, database, table, old, shadow string) error {
	q := fmt.Sprintf("RENAME TABLE %s TO %s, %s TO %s",
		qualified(database, table), qualified(database, old), qualified(database, shadow), qualified(database, table))
	if _, err := c.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("rename %s and %s: %w", table, shadow, err)
	}
	return nil
}

// ConnectionID is the server's id of connection c.
func ConnectionID(ctx context.Context, c *sql.Conn) (int64, error) {
	var id int64
	if err := c.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&id); err != nil {
		return 0, fmt.Errorf("read connection id: %w", err)
	}
	return id, nil
}

// WaitingForMetadataLock says whether connection id is blocked on a metadata lock.
func WaitingForMetadataLock(ctx context.Context, q Querier, id int64) (bool, error) {
	var state sql.NullString
	err := q.QueryRowContext(ctx, "SELECT STATE FROM information_schema.PROCESSLIST WHERE ID = ?", id).Scan(&state)
	if err == sql.ErrNoRows {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read state of connection %d: %w", id, err)
	}
	return state.String == "Waiting for table metadata lock", nil
}

// Kill ends the statement running on connection id.
func KillQuery(ctx context.Context, q Querier, id int64) error {
	if _, err := q.ExecContext(ctx, fmt.Sprintf("KILL QUERY %d", id)); err != nil {
		return fmt.Errorf("kill query on connection %d: %w", id, err)
	}
	return nil
}
