package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// runLockKey is the text whose 64-bit hash keys the run lock of a table;
// the quoted form keeps "a.b"."c" and "a"."b.c" apart.
func runLockKey(schema, table string) string {
	return "hotswap:" + pgx.Identifier{schema, table}.Sanitize()
}

// TryRunLock takes the session-level advisory lock that keeps two hotswap
// runs off the same table, trying for at most a second: long enough for the
// server to notice that a run which just ended (or was killed) is gone,
// short enough to refuse at once next to a live run. False means another
// session holds it. The lock lives as long as c's session: closing c only returns
// the session to the pool, so release it with ReleaseRunLock (or close the
// pool) at the end of the run.
func TryRunLock(ctx context.Context, c *sql.Conn, schema, table string) (bool, error) {
	deadline := time.Now().Add(time.Second)
	for {
		var got bool
		err := c.QueryRowContext(ctx, "SELECT pg_try_advisory_lock(hashtextextended($1, 0))", runLockKey(schema, table)).Scan(&got)
		if err != nil {
			return false, fmt.Errorf("take the run lock of %s.%s: %w", schema, table, err)
		}
		if got || time.Now().After(deadline) {
			return got, nil
		}
		select {
		case <-ctx.Done():
			return false, fmt.Errorf("take the run lock of %s.%s: %w", schema, table, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// ReleaseRunLock releases the lock TryRunLock took on the same session.
func ReleaseRunLock(ctx context.Context, c *sql.Conn, schema, table string) error {
	var released bool
	err := c.QueryRowContext(ctx, "SELECT pg_advisory_unlock(hashtextextended($1, 0))", runLockKey(schema, table)).Scan(&released)
	if err != nil {
		return fmt.Errorf("release the run lock of %s.%s: %w", schema, table, err)
	}
	if !released {
		return fmt.Errorf("release the run lock of %s.%s: this session does not hold it", schema, table)
	}
	return nil
}

// CloseLockConn releases the run lock held on c, best effort (a lost session
// has released it already), and closes c. Closing c alone would return the
// session, lock and all, to the pool, and closing the pool lets the server
// drop the lock only once it notices the disconnect: the next run could
// still find it taken.
func CloseLockConn(c *sql.Conn, schema, table string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = ReleaseRunLock(ctx, c, schema, table)
	c.Close()
}
