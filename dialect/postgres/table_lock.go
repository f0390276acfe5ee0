package postgres

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// runLockKey is the text whose 64-bit hash keys the run lock of a table;
// the quoted form keeps "a.b"."c" and "a"."b.c" apart.
func runLockKey(schema, table string) string {
	return "hotswap:" + pgx.Identifier{schema, table}.Sanitize()
}

// TryRunLock takes, without waiting, the session-level advisory lock that
// keeps two hotswap runs off the same table; false means another session
// holds it. The lock lives as long as c's session: closing c only returns
// the session to the pool, so release it with ReleaseRunLock (or close the
// pool) at the end of the run.
func TryRunLock(ctx context.Context, c *sql.Conn, schema, table string) (bool, error) {
	var got bool
	err := c.QueryRowContext(ctx, "SELECT pg_try_advisory_lock(hashtextextended($1, 0))", runLockKey(schema, table)).Scan(&got)
	if err != nil {
		return false, fmt.Errorf("take the run lock of %s.%s: %w", schema, table, err)
	}
	return got, nil
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
