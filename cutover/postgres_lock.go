package cutover

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hotswap/hotswap/dialect/postgres"
)

// blockerPoll is how often a lock request past KillBlockersAfter looks for
// the sessions blocking it.
const blockerPoll = 20 * time.Millisecond

// lockTable takes table's lock on conn (session pid), waiting at most wait,
// signalling the sessions in the way once KillBlockersAfter of waiting has
// passed, and adds the wait to lockWaited.
func (p *PostgresSet) lockTable(ctx context.Context, conn *sql.Conn, pid int, rel postgres.Rel, wait time.Duration) error {
	wait = p.outwaitAutovacuum(ctx, rel, wait)
	start := time.Now()
	stop := p.watchBlockers(ctx, pid, start.Add(-p.lockWaited))
	err := postgres.LockForCutOver(ctx, conn, rel.Schema, rel.Table, wait)
	table := rel.Table
	signalErr := stop()
	p.lockWaited += time.Since(start)
	if err == nil {
		return nil
	}
	if postgres.IsLockTimeout(err) {
		err = fmt.Errorf("the lock of %s was not granted within %s (%s waited in all attempts): %w", table, wait.Round(time.Millisecond), p.lockWaited.Round(time.Millisecond), err)
	}
	return errors.Join(err, signalErr)
}

// watchBlockers signals the blockers of pid from another connection while
// the lock request waits, counting the wait from since; stop ends it and
// returns the last signalling error.
func (p *PostgresSet) watchBlockers(ctx context.Context, pid int, since time.Time) (stop func() error) {
	if p.KillBlockersAfter <= 0 {
		return func() error { return nil }
	}
	done := make(chan struct{})
	result := make(chan error, 1)
	go func() { result <- p.signalBlockers(ctx, pid, since, done) }()
	return func() error {
		close(done)
		return <-result
	}
}

// signalBlockers cancels the blockers once at KillBlockersAfter, and from
// one grace later terminates whoever still blocks, at every poll: a session
// may take a lock ahead of the request between two polls.
func (p *PostgresSet) signalBlockers(ctx context.Context, pid int, since time.Time, done <-chan struct{}) error {
	grace := min(p.KillBlockersAfter, time.Second)
	tick := time.NewTicker(blockerPoll)
	defer tick.Stop()
	var lastErr error
	cancelled := false
	for {
		select {
		case <-done:
			return lastErr
		case <-ctx.Done():
			return lastErr
		case <-tick.C:
		}
		waited := time.Since(since)
		terminate := waited >= p.KillBlockersAfter+grace
		if waited < p.KillBlockersAfter || cancelled && !terminate {
			continue
		}
		if _, err := postgres.SignalBlockers(ctx, p.DB, pid, terminate); err != nil {
			lastErr = err // e.g. a superuser's session: reported if the lock times out
		}
		cancelled = true
	}
}

// autovacuumMargin is how much longer than deadlock_timeout a lock request
// waits for the autovacuum PostgreSQL cancels for it.
const autovacuumMargin = 250 * time.Millisecond

// outwaitAutovacuum lengthens wait past deadlock_timeout when a vacuum
// holds table's lock (postgres.VacuumLockHeld), most likely an autovacuum:
// PostgreSQL cancels it for the lock only after the lock has waited that
// long, and a shorter wait would give up first, every attempt (a new table,
// every row of it just inserted, is due for one at once). A manual VACUUM
// just costs that wait once. Errors leave wait as it was.
func (p *PostgresSet) outwaitAutovacuum(ctx context.Context, rel postgres.Rel, wait time.Duration) time.Duration {
	on, err := postgres.VacuumLockHeld(ctx, p.DB, rel.Schema, rel.Table)
	if err != nil || !on {
		return wait
	}
	dt, err := postgres.DeadlockTimeout(ctx, p.DB)
	if err != nil {
		return wait
	}
	return max(wait, dt+autovacuumMargin)
}
