package mysql

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// CreateSentry creates the empty table that takes the old table's name during
// the cut-over: while it exists, a RENAME of the table to that name fails.
func CreateSentry(ctx context.Context, q Querier, database, name string) error {
	_, err := q.ExecContext(ctx, createSentrySQL(database, name))
	if err != nil {
		return fmt.Errorf("create cut-over sentry %s: %w", name, err)
	}
	return nil
}

// createSentrySQL creates the sentry with the comment IsSentry recognizes it by.
func createSentrySQL(database, name string) string {
	return fmt.Sprintf("CREATE TABLE %s (id INT PRIMARY KEY) ENGINE=InnoDB COMMENT='hotswap cut-over sentry: safe to drop when no hotswap runs'",
		qualified(database, name))
}

// SetLockWait bounds how long this connection waits for metadata locks.
func SetLockWait(ctx context.Context, c *sql.Conn, d time.Duration) error {
	if _, err := c.ExecContext(ctx, setLockWaitSQL(d)); err != nil {
		return fmt.Errorf("set lock_wait_timeout: %w", err)
	}
	return nil
}

// setLockWaitSQL sets lock_wait_timeout to d in whole seconds, at least one:
// the variable takes no fraction, and 0 would not wait at all.
func setLockWaitSQL(d time.Duration) string {
	secs := max(1, int(d.Round(time.Second)/time.Second))
	return fmt.Sprintf("SET SESSION lock_wait_timeout = %d", secs)
}

// SetNoLockWait makes this connection's metadata lock requests fail at
// once when they cannot be granted (MariaDB; MySQL clamps the wait to one
// second).
func SetNoLockWait(ctx context.Context, c *sql.Conn) error {
	if _, err := c.ExecContext(ctx, "SET SESSION lock_wait_timeout = 0"); err != nil {
		return fmt.Errorf("set lock_wait_timeout: %w", err)
	}
	return nil
}

// WithoutWaiting runs fn on c with metadata lock requests that never wait
// (SetNoLockWait), again after a short pause while they meet a lock in use,
// for at most total. It is for DDL on a live table after the cut-over: a
// request that waits is part of the server's deadlock search, and when it
// weighs more than the application's statements (a DDL's or a write
// lock's, which also takes the table's parents) the server fails theirs
// to break the cycle (ER_LOCK_DEADLOCK, seen in tests); one that never
// waits is never in a cycle.
func WithoutWaiting(ctx context.Context, c *sql.Conn, total time.Duration, fn func() error) error {
	if err := SetNoLockWait(ctx, c); err != nil {
		return err
	}
	deadline := time.Now().Add(total)
	pause := 2 * time.Millisecond
	for {
		err := fn()
		if err == nil || !isBusy(err) || time.Now().Add(pause).After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pause):
		}
		pause = min(2*pause, 20*time.Millisecond)
	}
}

// IsLockBusy says whether err is a lock request that was not granted in
// time (or a deadlock the server broke): trying again later may succeed.
func IsLockBusy(err error) bool { return isBusy(err) }

// LockForSwap read-locks the table (writes wait, reads go on) and write-locks
// the sentry on c. The shadow stays unlocked so the final resync can run on
// other connections and the RENAME can take it before it queues on the table.
func LockForSwap(ctx context.Context, c *sql.Conn, database, table, sentry string) error {
	if _, err := c.ExecContext(ctx, lockForSwapSQL(database, table, sentry)); err != nil {
		return fmt.Errorf("lock %s for cut-over: %w", table, err)
	}
	return nil
}

// lockForSwapSQL read-locks the table and write-locks the sentry, nothing else.
func lockForSwapSQL(database, table, sentry string) string {
	return fmt.Sprintf("LOCK TABLES %s READ, %s WRITE", qualified(database, table), qualified(database, sentry))
}

// TableName is a table of some database.
type TableName struct{ Database, Table string }

// LockParents read-locks the parent tables of the keys a cut-over carries
// (see cutover.MySQLSet): their rows cannot be deleted while the keys move
// from the old table to the new one.
func LockParents(ctx context.Context, c *sql.Conn, parents []TableName) error {
	if _, err := c.ExecContext(ctx, lockParentsSQL(parents)); err != nil {
		return fmt.Errorf("lock the parent tables for cut-over: %w", err)
	}
	return nil
}

func lockParentsSQL(parents []TableName) string {
	locks := make([]string, len(parents))
	for i, p := range parents {
		locks[i] = qualified(p.Database, p.Table) + " READ"
	}
	return "LOCK TABLES " + strings.Join(locks, ", ")
}

// LockChildren write-locks the tables whose keys reference the set's (see
// cutover.MySQLSet): c alters their keys under the lock.
func LockChildren(ctx context.Context, c *sql.Conn, keys []ChildKey) error {
	if _, err := c.ExecContext(ctx, LockChildrenSQL(keys)); err != nil {
		return fmt.Errorf("lock the tables whose foreign keys reference the table for cut-over: %w", err)
	}
	return nil
}

// DropSentry drops the sentry on c, which holds it write-locked: the RENAME
// waiting on it may then take its name.
func DropSentry(ctx context.Context, c *sql.Conn, database, sentry string) error {
	if _, err := c.ExecContext(ctx, dropSentrySQL(database, sentry)); err != nil {
		return fmt.Errorf("drop cut-over sentry %s: %w", sentry, err)
	}
	return nil
}

// dropSentrySQL drops the sentry the connection holds write-locked.
func dropSentrySQL(database, sentry string) string {
	return "DROP TABLE " + qualified(database, sentry)
}

// Unlock releases LOCK TABLES.
func Unlock(ctx context.Context, c *sql.Conn) error {
	if _, err := c.ExecContext(ctx, "UNLOCK TABLES"); err != nil {
		return fmt.Errorf("unlock tables: %w", err)
	}
	return nil
}

// Swap is one table of a swap: the table goes to Old, Shadow takes its name.
type Swap struct{ Table, Old, Shadow string }

// SwapRename moves each table to its old name and its shadow to the table's
// name, all in one statement.
func SwapRename(ctx context.Context, c *sql.Conn, database string, swaps []Swap) error {
	if _, err := c.ExecContext(ctx, SwapRenameAllSQL(database, swaps)); err != nil {
		return fmt.Errorf("rename %s: %w", swapNames(swaps), err)
	}
	return nil
}

func swapNames(swaps []Swap) string {
	names := make([]string, 0, 2*len(swaps))
	for _, s := range swaps {
		names = append(names, s.Table, s.Shadow)
	}
	return strings.Join(names, ", ")
}

// SwapRenameSQL renames table to old and shadow to table, atomically: the
// statement SwapRename runs for one table, as the binary log holds it.
func SwapRenameSQL(database, table, old, shadow string) string {
	return SwapRenameAllSQL(database, []Swap{{Table: table, Old: old, Shadow: shadow}})
}

// SwapRenameAllSQL swaps every table of swaps in one RENAME, atomically:
// the server renames all or none.
func SwapRenameAllSQL(database string, swaps []Swap) string {
	parts := make([]string, 0, 2*len(swaps))
	for _, s := range swaps {
		parts = append(parts, qualified(database, s.Table)+" TO "+qualified(database, s.Old),
			qualified(database, s.Shadow)+" TO "+qualified(database, s.Table))
	}
	return "RENAME TABLE " + strings.Join(parts, ", ")
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

// QueueProbe tells whether a DDL statement is queued for a table's
// exclusive metadata lock. On MariaDB it reads the table with a zero lock
// wait: a plain read is compatible with a granted READ lock and is not held
// back by queued writers, only by a queued exclusive request. MySQL clamps
// lock_wait_timeout to 1 s, so there it asks performance_schema instead.
type QueueProbe struct {
	c        *sql.Conn
	zeroWait bool
}

// NewQueueProbe sets up c, a connection used for nothing else, as a probe.
func NewQueueProbe(ctx context.Context, c *sql.Conn) (*QueueProbe, error) {
	if _, err := c.ExecContext(ctx, "SET SESSION lock_wait_timeout = 0"); err != nil {
		return nil, fmt.Errorf("set up lock queue probe: %w", err)
	}
	var wait int
	if err := c.QueryRowContext(ctx, "SELECT @@SESSION.lock_wait_timeout").Scan(&wait); err != nil {
		return nil, fmt.Errorf("set up lock queue probe: %w", err)
	}
	return &QueueProbe{c: c, zeroWait: wait == 0}, nil
}

// ExclusiveQueued says whether connection id waits for an exclusive lock on
// table (with the zero-wait read: whether any connection does).
func (p *QueueProbe) ExclusiveQueued(ctx context.Context, database, table string, id int64) (bool, error) {
	if !p.zeroWait {
		return p.pendingInPerformanceSchema(ctx, database, table, id)
	}
	_, err := p.c.ExecContext(ctx, queueProbeSQL(database, table))
	switch {
	case err == nil:
		return false, nil
	case isBusy(err):
		return true, nil
	}
	return false, fmt.Errorf("probe lock queue of %s: %w", table, err)
}

// queueProbeSQL opens the table and reads nothing: it needs only the
// shared metadata lock that a queued exclusive request holds back.
func queueProbeSQL(database, table string) string {
	return "SELECT 1 FROM " + qualified(database, table) + " LIMIT 0"
}

func (p *QueueProbe) pendingInPerformanceSchema(ctx context.Context, database, table string, id int64) (bool, error) {
	var n int
	err := p.c.QueryRowContext(ctx, `SELECT COUNT(*) FROM performance_schema.metadata_locks l
		JOIN performance_schema.threads th ON th.THREAD_ID = l.OWNER_THREAD_ID
		WHERE l.OBJECT_TYPE = 'TABLE' AND l.OBJECT_SCHEMA = ? AND l.OBJECT_NAME = ?
		AND l.LOCK_TYPE = 'EXCLUSIVE' AND l.LOCK_STATUS = 'PENDING' AND th.PROCESSLIST_ID = ?`,
		database, table, id).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("probe lock queue of %s in performance_schema.metadata_locks (the server cannot wait 0 s for a lock, so hotswap needs the wait/lock/metadata/sql/mdl instrument): %w", table, err)
	}
	return n > 0, nil
}

// KillQuery ends the statement running on connection id.
func KillQuery(ctx context.Context, q Querier, id int64) error {
	if _, err := q.ExecContext(ctx, killQuerySQL(id)); err != nil {
		return fmt.Errorf("kill query on connection %d: %w", id, err)
	}
	return nil
}

// killQuerySQL ends the statement of connection id, not the connection.
func killQuerySQL(id int64) string { return fmt.Sprintf("KILL QUERY %d", id) }

// Discard closes c for good instead of returning it to the pool, so a
// connection that may still hold table locks is never reused.
func Discard(c *sql.Conn) {
	_ = c.Raw(func(any) error { return driver.ErrBadConn })
	_ = c.Close()
}

// EndSnapshot ends a snapshot transaction and closes its connection.
func EndSnapshot(c *sql.Conn) {
	_, _ = c.ExecContext(context.Background(), "ROLLBACK")
	_ = c.Close()
}

// CarryAutoIncrement gives the shadow the AUTO_INCREMENT the server's own
// ALTER would leave: the value the ALTER names (named, nil when none), else
// the table's counter, so ids freed at the top during the run are not handed
// out again after the swap; when the table had no counter (the ALTER makes a
// column AUTO_INCREMENT), 1. The server raises each to one past the highest
// value the shadow holds. Call it while the table's writers are held.
func CarryAutoIncrement(ctx context.Context, q Querier, database, table, shadow string, named *uint64) error {
	_, _ = q.ExecContext(ctx, "SET SESSION information_schema_stats_expiry = 0") // MySQL 8 caches it; MariaDB has no such variable
	own, err := autoIncrement(ctx, q, database, shadow)
	if err != nil || !own.Valid {
		return err // no AUTO_INCREMENT column
	}
	value := "1"
	if named != nil {
		value = strconv.FormatUint(*named, 10)
	} else {
		old, err := autoIncrement(ctx, q, database, table)
		if err != nil {
			return err
		}
		if old.Valid {
			value = old.String
		}
	}
	if _, err := q.ExecContext(ctx, carryAutoIncrementSQL(database, shadow, value)); err != nil {
		return fmt.Errorf("carry AUTO_INCREMENT %s to %s: %w", value, shadow, err)
	}
	return nil
}

// carryAutoIncrementSQL sets the shadow's AUTO_INCREMENT counter to value,
// a decimal number written into the statement as it is.
func carryAutoIncrementSQL(database, shadow, value string) string {
	return fmt.Sprintf("ALTER TABLE %s AUTO_INCREMENT = %s", qualified(database, shadow), value)
}

// autoIncrement is a table's next AUTO_INCREMENT value, NULL without one.
func autoIncrement(ctx context.Context, q Querier, database, table string) (sql.NullString, error) {
	var next sql.NullString
	err := q.QueryRowContext(ctx, "SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
		database, table).Scan(&next)
	if err != nil {
		return next, fmt.Errorf("read AUTO_INCREMENT of %s: %w", table, err)
	}
	return next, nil
}
