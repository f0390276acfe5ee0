package postgres

import (
	"context"
	"errors"
	"fmt"
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
