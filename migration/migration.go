package migration

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/hotswap/hotswap/applier"
	"github.com/hotswap/hotswap/copier"
	"github.com/hotswap/hotswap/engine"
	"github.com/hotswap/hotswap/job"
	"github.com/hotswap/hotswap/throttle"
)

// States a run goes through, as reported by State.
const (
	StatePreflight   = "preflight"
	StateCopying     = "copying"
	StateIndexing    = "indexing" // the shadow's deferred indexes are built, every row copied
	StateApplying    = "applying"
	StatePostponed   = "postponed"
	StateVerifying   = "verifying"
	StateCuttingOver = "cutting-over"
	StateDone        = "done"
	StateFailed      = "failed"
)

// Migration is one run of an online ALTER on MySQL, MariaDB or PostgreSQL;
// the engine holds what differs between them.
type Migration struct {
	cfg    Config
	eng    engine.Engine
	engErr error // the engine could not be built (its kind is not linked in)

	shadow, old string
	chk         string       // the checkpoint table
	estimate    atomic.Int64 // set once the shadow is prepared, after the control socket and metrics are up
	swapped     bool
	resuming    bool // continuing from a checkpoint (the engine's plan says, after --resume)

	ckpt        *checkpointer
	chkCreated  bool             // this run made the checkpoint table (a refused start drops it)
	resumed     *checkpointState // the checkpoint a --resume continues from
	ckptMade    atomic.Bool      // the checkpoint table exists: a --resume can continue
	resumeDone  bool             // --resume found the earlier run's cut-over completed
	revertDone  bool             // ... and its revert too (revert_resume.go)
	resumeStart []any            // the copy's watermark in the checkpoint resumed
	// keepForResume: the run failed because the server went away; the
	// PostgreSQL slot and checkpoint are kept for a --resume.
	keepForResume bool

	applier *applier.Applier
	copier  *copier.Copier
	early   *earlyPass // nil without an early checksum (early_checksum.go)

	running     atomic.Pointer[parts]  // published once built: read by the control socket
	win         atomic.Pointer[window] // the revert window, once open (revert.go)
	unpostponed atomic.Bool
	cutOvers    atomic.Int64 // cut-over attempts made
	lastCutOver atomic.Int64 // how long the last attempt took, in ns (its lock hold when it swapped)
	checksummed atomic.Int64 // checksum chunks (and batches of keys) compared, early and at the point
	differing   atomic.Int64 // rows the last checksum at the consistent point found differing
	instant     atomic.Bool  // the server made the change in place (instant.go)

	group *group // the other tables of a Set, cut over with this one; nil alone

	*job.Runner // state, hooks, control socket, panic, background tasks
	started     time.Time
}

// parts are the pieces of a run under way, read concurrently by the
// control socket and the progress reporter.
type parts struct {
	copier    *copier.Copier
	applier   *applier.Applier
	throttler *throttle.Throttler
	copyStart atomic.Int64 // unix nanoseconds
	eta       *job.ETA
}

func (m *Migration) parts() *parts { return m.running.Load() }

// streamLag is how far the change stream's reader is behind the server.
func (m *Migration) streamLag() time.Duration {
	if m.parts() == nil {
		return 0
	}
	return m.eng.StreamLag()
}

// New prepares a run; nothing touches the server before Run.
func New(cfg Config) *Migration {
	cfg.defaults()
	m := &Migration{cfg: cfg}
	m.eng, m.engErr = engine.New(cfg.Engine, m.spec())
	m.ckpt = &checkpointer{m: m}
	m.Runner = job.NewRunner(cfg.Settings, cfg.Execute, cfg.Log, m.hookEnv, StatePreflight)
	return m
}

// Config is the run's settings, defaults applied.
func (m *Migration) Config() Config { return m.cfg }

// ShadowName, OldName and CheckpointName are the tables the run creates
// (settled by its preflight).
func (m *Migration) ShadowName() string     { return m.shadow }
func (m *Migration) OldName() string        { return m.old }
func (m *Migration) CheckpointName() string { return m.chk }

// Backlog is the number of changed keys not yet applied to the shadow.
func (m *Migration) Backlog() int {
	if m.applier == nil {
		return 0
	}
	return m.applier.Backlog()
}

// CaughtUp waits until the stream has read to the server's present and
// every key it saw is applied. Under a steady write load it may never see
// an empty backlog: it is for tests that stopped their writers.
func (m *Migration) CaughtUp(ctx context.Context) error {
	return m.caughtUpTo(ctx, 0)
}

// nearlyCaughtUp is CaughtUp short of a backlog the catch-up under a lock
// resyncs in milliseconds: writers keep adding keys, so an empty backlog may
// never be seen.
func (m *Migration) nearlyCaughtUp(ctx context.Context) error {
	return m.caughtUpTo(ctx, nearlyCaughtUpKeys)
}

// nearlyCaughtUpKeys is a backlog small enough to resync under a lock.
const nearlyCaughtUpKeys = 500

// fewKeysLeft waits, for at most lockReadyWait, until the stream has caught
// up and the backlog is at most lockReadyKeys, so that a consistent point
// taken next holds the application's writes for as short a time as it can
// (the keys left are resynced under its lock). Under a write load heavier
// than that, it goes on after the wait: the lock's own budget still bounds
// the hold.
func (m *Migration) fewKeysLeft(ctx context.Context) error {
	wctx, cancel := context.WithTimeout(ctx, lockReadyWait)
	defer cancel()
	if err := m.caughtUpTo(wctx, lockReadyKeys); err != nil && ctx.Err() != nil {
		return err
	}
	return nil
}

const (
	lockReadyKeys = 20
	lockReadyWait = 2 * time.Second
)

func (m *Migration) caughtUpTo(ctx context.Context, backlog int) error {
	return waitCaughtUp(ctx, m.eng.CaughtUp, m.applier, backlog)
}

// waitCaughtUp waits for the stream to reach the server's present
// (streamCaughtUp), then for a's backlog to be at most backlog.
func waitCaughtUp(ctx context.Context, streamCaughtUp func(context.Context) error, a *applier.Applier, backlog int) error {
	if err := streamCaughtUp(ctx); err != nil {
		return err
	}
	for a.Backlog() > backlog || (backlog == 0 && a.Busy()) {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
	return nil
}

// Copied is the rows this run has copied so far (a resumed run counts from
// zero: it skips what the checkpoint says is copied).
func (m *Migration) Copied() int64 {
	if p := m.parts(); p != nil {
		return p.copier.Copied()
	}
	return 0
}
