package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// cutOverIdleMargin is how much longer than its hold budget the cut-over
// transaction may sit idle before the server ends the session.
const cutOverIdleMargin = 5 * time.Second

// BeginCutOver opens the cut-over transaction with a plain BEGIN on conn:
// the catch-up is handed the connection itself, not a *sql.Tx, and what it
// runs there is part of the transaction. The connection must not go back to
// the pool before CommitCutOver or RollbackCutOver succeeded.
func BeginCutOver(ctx context.Context, conn *sql.Conn) error {
	if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
		return fmt.Errorf("begin the cut-over transaction: %w", err)
	}
	return nil
}

// LockForCutOver takes ACCESS EXCLUSIVE on schema.table, waiting at most
// wait (lock_timeout, for this transaction only). While the request waits,
// every later reader of the table queues behind it, so the wait must be
// short: IsLockTimeout reports the error when it runs out.
func LockForCutOver(ctx context.Context, q Querier, schema, table string, wait time.Duration) error {
	if _, err := q.ExecContext(ctx, "SELECT set_config('lock_timeout', $1, true)", cutOverMillis(wait)); err != nil {
		return fmt.Errorf("set the cut-over lock timeout: %w", err)
	}
	if _, err := q.ExecContext(ctx, "LOCK TABLE "+pgx.Identifier{schema, table}.Sanitize()+" IN ACCESS EXCLUSIVE MODE"); err != nil {
		return fmt.Errorf("lock %s.%s for the cut-over: %w", schema, table, err)
	}
	return nil
}

// MarkLocks opens a round of cut-over locks (a savepoint) and ReleaseLocks
// lets every lock taken since go (the transaction rolls back to it, which
// releases the locks taken after it), so a round that found one table busy
// can start again without holding the others.
func MarkLocks(ctx context.Context, q Querier) error {
	if _, err := q.ExecContext(ctx, "SAVEPOINT hotswap_locks"); err != nil {
		return fmt.Errorf("mark the cut-over locks: %w", err)
	}
	return nil
}

// ReleaseLocks: see MarkLocks.
func ReleaseLocks(ctx context.Context, q Querier) error {
	if _, err := q.ExecContext(ctx, "ROLLBACK TO SAVEPOINT hotswap_locks"); err != nil {
		return fmt.Errorf("release the cut-over locks: %w", err)
	}
	return nil
}

// IsLockBusy says whether err is a lock not granted in time or a deadlock
// the server broke by failing this request: asking again later may succeed.
func IsLockBusy(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "55P03" || pgErr.Code == "40P01")
}

// LimitCutOverHold bounds on the server how long the transaction keeps its
// locks, whatever happens to the client: statement_timeout ends a statement
// running longer than hold, and idle_in_transaction_session_timeout ends the
// session when the client falls silent (frozen, cut off) for hold plus a
// margin; without it a lost client would keep the table locked until TCP
// gives up on the connection.
func LimitCutOverHold(ctx context.Context, q Querier, hold time.Duration) error {
	_, err := q.ExecContext(ctx, `SELECT set_config('statement_timeout', $1, true),
		set_config('idle_in_transaction_session_timeout', $2, true)`, cutOverMillis(hold), cutOverMillis(hold+cutOverIdleMargin))
	if err != nil {
		return fmt.Errorf("bound the cut-over lock hold: %w", err)
	}
	return nil
}

// RollbackCutOver ends the transaction without changing anything.
func RollbackCutOver(ctx context.Context, conn *sql.Conn) error {
	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		return fmt.Errorf("roll the cut-over back: %w", err)
	}
	return nil
}

// IsLockTimeout reports whether err is a lock wait that ran out of
// lock_timeout (SQLSTATE 55P03, lock_not_available).
func IsLockTimeout(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "55P03"
}

// BackendPID is the server process id of the session behind q (a *sql.Conn:
// through a pool each call may get another session).
func BackendPID(ctx context.Context, q Querier) (int, error) {
	var pid int
	if err := q.QueryRowContext(ctx, "SELECT pg_backend_pid()").Scan(&pid); err != nil {
		return 0, fmt.Errorf("read the backend pid: %w", err)
	}
	return pid, nil
}

// cutOverMillis formats d for a timeout setting, rounded up to a whole
// millisecond: 0 would mean no timeout at all.
func cutOverMillis(d time.Duration) string {
	return fmt.Sprintf("%dms", max(1, int64((d+time.Millisecond-1)/time.Millisecond)))
}
