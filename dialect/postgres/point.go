package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// LockWrites opens a transaction on conn that holds schema.table in SHARE
// mode: writers wait, readers go on. It waits at most wait for the lock
// and holds it at most hold (server-side limits, whatever happens to the
// client). End it with RollbackCutOver.
func LockWrites(ctx context.Context, conn *sql.Conn, schema, table string, wait, hold time.Duration) error {
	if err := BeginCutOver(ctx, conn); err != nil {
		return err
	}
	if err := LimitCutOverHold(ctx, conn, hold); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, "SELECT set_config('lock_timeout', $1, true)", cutOverMillis(wait)); err != nil {
		return fmt.Errorf("set the lock timeout: %w", err)
	}
	if _, err := conn.ExecContext(ctx, "LOCK TABLE "+pgx.Identifier{schema, table}.Sanitize()+" IN SHARE MODE"); err != nil {
		return fmt.Errorf("hold writes to %s.%s: %w", schema, table, err)
	}
	return nil
}
