package migration

import (
	"context"
	"fmt"
	"sync"

	"github.com/hotswap/hotswap/engine"
)

// group joins the runs of a Set at two points: after every preflight (no
// run changes anything before all have passed theirs) and at the cut-over,
// which the last run to arrive leads for all (one RENAME, one transaction).
type group struct {
	preflight *barrier
	cut       *barrier

	mu      sync.Mutex
	arrived []*Migration       // the runs waiting at the cut-over, in arrival order
	reached map[*Migration]int // the barriers each run has come to (1: preflight, 2: cut-over)
	done    chan struct{}
	err     error // the joint cut-over's outcome, once done is closed

	stopCause error                   // a run asked the leader to stop (stopLead)
	stopLead  context.CancelCauseFunc // ends the leader's waits and retries, not an attempt under way
}

func newGroup(n int) *group {
	return &group{preflight: newBarrier(n), cut: newBarrier(n), done: make(chan struct{}), reached: map[*Migration]int{}}
}

// preflighted is called by each run once its preflight passed; it returns
// once every run's has (an error: another run was refused or failed).
func (g *group) preflighted(ctx context.Context, m *Migration) error {
	g.reach(m, 1)
	_, err := g.preflight.arrive(ctx)
	return err
}

// cutOver waits for every run of the set to be ready to cut over; the last
// to arrive cuts over all the tables at once, with its own retries and
// back-off, and the others return its outcome.
func (g *group) cutOver(ctx context.Context, m *Migration) error {
	g.reach(m, 2)
	last, err := g.cut.arrive(ctx)
	if err != nil {
		return err
	}
	if last {
		g.err = g.lead(ctx, m)
		close(g.done)
		return g.err
	}
	select {
	case <-g.done:
		return g.err
	case <-ctx.Done():
		// This run's stream or applier may have ended on the RENAME or
		// the new table: the swap may be done or under way. The leader
		// stops retrying, but the outcome is the attempt's.
		g.requestStop(context.Cause(ctx))
		<-g.done
		return g.err
	}
}

// requestStop ends the leader's waits and retries (not an attempt under
// way: its outcome stands).
func (g *group) requestStop(cause error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.stopCause == nil {
		g.stopCause = cause
	}
	if g.stopLead != nil {
		g.stopLead(cause)
	}
}

// lead runs the joint cut-over through the leader's engine.
func (g *group) lead(ctx context.Context, leader *Migration) error {
	g.mu.Lock()
	runs := g.arrived
	g.mu.Unlock()
	set, ok := leader.eng.(engine.CutOverSet)
	if !ok {
		return fmt.Errorf("the %s engine cannot cut over several tables at once", leader.cfg.Engine)
	}
	var others []engine.Engine
	for _, r := range runs {
		if r != leader {
			others = append(others, r.eng)
		}
	}
	lctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	g.mu.Lock()
	if g.stopLead = cancel; g.stopCause != nil {
		cancel(g.stopCause)
	}
	g.mu.Unlock()
	attempt := func(context.Context) error {
		if lctx.Err() != nil {
			return engine.NoRetry{Err: fmt.Errorf("cut-over stopped: %w", context.Cause(lctx))}
		}
		return set.CutOverTogether(ctx, others) // the run's context: a RENAME in flight is not cut short
	}
	return leader.retryCutOver(lctx, runs, attempt)
}

func (g *group) reach(m *Migration, barrier int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.reached[m] = barrier
	if barrier == 2 {
		g.arrived = append(g.arrived, m)
	}
}

// leave is called for a run that ended without failing: the barriers it
// never came to stop waiting for it (a --resume that found its cut-over
// done by the earlier run, a dry run). A run that failed breaks the
// barriers instead (fail).
func (g *group) leave(m *Migration) {
	g.mu.Lock()
	reached := g.reached[m]
	g.mu.Unlock()
	if reached < 1 {
		g.preflight.leave()
	}
	if reached < 2 {
		g.cut.leave()
	}
}

// swapped says the joint cut-over is done.
func (g *group) swapped() bool {
	select {
	case <-g.done:
		return g.err == nil
	default:
		return false
	}
}

// fail breaks the barriers not yet passed: every run waiting at one, or
// arriving later, gets err.
func (g *group) fail(err error) {
	g.preflight.fail(err)
	g.cut.fail(err)
}

// barrier lets its parties go once all have arrived or left, or with an
// error once it is failed; it opens once.
type barrier struct {
	mu   sync.Mutex
	left int // parties still to arrive or leave
	open chan struct{}
	err  error
}

func newBarrier(n int) *barrier { return &barrier{left: n, open: make(chan struct{})} }

// arrive waits for the others; last says this party opened the barrier.
func (b *barrier) arrive(ctx context.Context) (last bool, err error) {
	if b.countDown() {
		return true, nil
	}
	select {
	case <-b.open:
		return false, b.err
	case <-ctx.Done():
		return false, ctx.Err()
	}
}

func (b *barrier) leave() { b.countDown() }

// countDown counts one party; true when it opened the barrier (false when
// a failure had opened it already).
func (b *barrier) countDown() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.left--
	if b.left != 0 || b.err != nil {
		return false
	}
	close(b.open)
	return true
}

// fail opens a barrier not yet open with err.
func (b *barrier) fail(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.left <= 0 || b.err != nil {
		return
	}
	b.err = err
	close(b.open)
}
