package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// CommitCutOver commits, and fails if the server rolled back instead: to
// COMMIT in a transaction where a statement failed, PostgreSQL answers
// ROLLBACK without an error, which database/sql cannot see.
func CommitCutOver(ctx context.Context, conn *sql.Conn) error {
	err := conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("not a pgx connection: %T", dc)
		}
		tag, err := c.Conn().Exec(ctx, "COMMIT")
		if err == nil && tag.String() != "COMMIT" {
			err = errCommitAnsweredRollback
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("commit the cut-over: %w", err)
	}
	return nil
}

// errCommitAnsweredRollback: COMMIT reached the server, which rolled back.
var errCommitAnsweredRollback = errors.New("the server answered ROLLBACK: a statement in the transaction had failed")

// CommitRolledBack reports whether a CommitCutOver error carries the
// server's answer (an error, or ROLLBACK): the transaction is rolled back.
// Any other error (connection lost, context ended) leaves the outcome
// unknown: the COMMIT may have run.
func CommitRolledBack(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) || errors.Is(err, errCommitAnsweredRollback)
}

// SessionEnded reports whether no server process has pid any more: its
// transaction is then committed or rolled back for good.
func SessionEnded(ctx context.Context, q Querier, pid int) (bool, error) {
	var alive bool
	if err := q.QueryRowContext(ctx, "SELECT EXISTS (SELECT FROM pg_stat_activity WHERE pid = $1)", pid).Scan(&alive); err != nil {
		return false, fmt.Errorf("look for session %d: %w", pid, err)
	}
	return !alive, nil
}

// OldTableExists reports whether schema.old exists: after a cut-over whose
// COMMIT went unanswered, whether it committed.
func OldTableExists(ctx context.Context, q Querier, schema, old string) (bool, error) {
	var exists bool
	err := q.QueryRowContext(ctx, `SELECT EXISTS (SELECT FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relname = $2)`, schema, old).Scan(&exists)
	if err != nil {
		return false, fmt.Errorf("look for %s.%s: %w", schema, old, err)
	}
	return exists, nil
}
