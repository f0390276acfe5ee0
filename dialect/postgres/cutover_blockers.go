package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// SignalBlockers cancels (pg_cancel_backend) or, with terminate, ends
// (pg_terminate_backend) the sessions that keep session pid from its lock:
// those holding a conflicting lock and those queued ahead of it
// (pg_blocking_pids). Cancelling stops a running statement, and its
// transaction with it, but does nothing to a session idle in a transaction;
// only terminating frees those. It returns the pids signalled.
//
// Each session is signalled on its own, so one the role may not signal does
// not shield the others: that needs membership in the blocker's role or in
// pg_signal_backend, and only superusers signal superusers' sessions.
func SignalBlockers(ctx context.Context, db Querier, pid int, terminate bool) ([]int, error) {
	signal := "pg_cancel_backend"
	if terminate {
		signal = "pg_terminate_backend"
	}
	blockers, err := blockingPIDs(ctx, db, pid)
	if err != nil {
		return nil, err
	}
	var signalled []int
	var errs []error
	for _, b := range blockers {
		var ok bool
		if err := db.QueryRowContext(ctx, "SELECT "+signal+"($1)", b).Scan(&ok); err != nil {
			errs = append(errs, fmt.Errorf("%s(%d), which blocks pid %d: %w", signal, b, pid, err))
			continue
		}
		if ok { // false: the session had already gone
			signalled = append(signalled, b)
		}
	}
	return signalled, errors.Join(errs...)
}

func blockingPIDs(ctx context.Context, db Querier, pid int) ([]int, error) {
	rows, err := db.QueryContext(ctx, "SELECT unnest(pg_blocking_pids($1))", pid)
	if err != nil {
		return nil, fmt.Errorf("find the sessions blocking pid %d: %w", pid, err)
	}
	defer rows.Close()
	var pids []int
	for rows.Next() {
		var p int
		if err := rows.Scan(&p); err != nil {
			return nil, fmt.Errorf("find the sessions blocking pid %d: %w", pid, err)
		}
		pids = append(pids, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find the sessions blocking pid %d: %w", pid, err)
	}
	return pids, nil
}

// VacuumLockHeld says whether another session holds the lock a VACUUM or
// ANALYZE takes on schema.table (SHARE UPDATE EXCLUSIVE), an autovacuum
// worker's most likely: PostgreSQL cancels such a worker for a conflicting
// lock request once that request has waited deadlock_timeout (unless it
// prevents wraparound), so a cut-over that finds one should wait that long.
// Only pg_locks tells: a role without pg_read_all_stats sees no other
// role's backend_type, and cannot signal a superuser's worker either.
func VacuumLockHeld(ctx context.Context, db Querier, schema, table string) (bool, error) {
	var held bool
	if err := db.QueryRowContext(ctx, vacuumLockHeldSQL, QualifiedName(schema, table)).Scan(&held); err != nil {
		return false, fmt.Errorf("look for a vacuum of %s.%s: %w", schema, table, err)
	}
	return held, nil
}

const vacuumLockHeldSQL = `SELECT EXISTS (SELECT FROM pg_locks WHERE relation = to_regclass($1)
	AND granted AND mode = 'ShareUpdateExclusiveLock' AND pid <> pg_backend_pid())`

// DeadlockTimeout is the server's deadlock_timeout.
func DeadlockTimeout(ctx context.Context, db Querier) (time.Duration, error) {
	var ms int64
	if err := db.QueryRowContext(ctx, "SELECT setting::int8 FROM pg_settings WHERE name = 'deadlock_timeout'").Scan(&ms); err != nil {
		return 0, fmt.Errorf("read deadlock_timeout: %w", err)
	}
	return time.Duration(ms) * time.Millisecond, nil
}
