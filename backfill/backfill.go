package backfill

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hotswap/hotswap/control"
	"github.com/hotswap/hotswap/copier"
	"github.com/hotswap/hotswap/engine"
	"github.com/hotswap/hotswap/hooks"
	"github.com/hotswap/hotswap/job"
	"github.com/hotswap/hotswap/throttle"
)

// States a backfill reports.
const (
	StatePreflight = "preflight"
	StateRunning   = "running"
	StateWaiting   = "waiting" // for the window or the start time: see Status().ThrottleReason
	StateStopped   = "stopped" // --max-runtime: resume later
	StateDone      = "done"
	StateFailed    = "failed"
)

// Backfill is one run of a chunked data change.
type Backfill struct {
	cfg    Config
	eng    engine.Backfill
	engErr error // the engine could not be built (its kind is not linked in)

	started  time.Time // cfg.Began, or when New made it
	estimate atomic.Int64
	resumed  *checkpointState // set in preflight, before running is published
	start    []any            // the watermark a --resume continues after
	ckptMade atomic.Bool      // the checkpoint table exists: a --resume can continue

	waitWhy atomic.Value // string: why the schedule holds the chunks
	running atomic.Pointer[parts]

	*job.Runner // state, hooks, control socket, panic, background tasks
}

// parts are the pieces of a backfill under way, read concurrently by the
// control socket, the checkpoint and the progress.
type parts struct {
	copier   *copier.Copier
	throttle *throttle.Throttler
	began    time.Time // when this process began its chunks: the rate is its own
	eta      *job.ETA
}

// New prepares a backfill; nothing touches the server before Run.
func New(cfg Config) *Backfill {
	cfg.defaults()
	b := &Backfill{cfg: cfg, started: cfg.Began}
	if b.started.IsZero() {
		b.started = cfg.Clock.Now()
	}
	b.eng, b.engErr = engine.NewBackfill(cfg.Engine, engine.BackfillSpec{Conn: cfg.Conn, Schema: cfg.Schema, Table: cfg.Table,
		Set: cfg.Set, Where: cfg.Where, Template: cfg.Template, LockWait: cfg.LockWait, SessionSchema: cfg.SessionSchema})
	b.waitWhy.Store("")
	b.Runner = job.NewRunner(cfg.Settings, cfg.Execute, cfg.Log, b.hookEnv, StatePreflight)
	return b
}

// Run checks everything, then (with Execute) changes the table chunk by
// chunk. A *Refused error means nothing was changed.
func (b *Backfill) Run(ctx context.Context) (err error) {
	if b.engErr != nil {
		b.SetState(StateFailed)
		return b.engErr
	}
	defer b.eng.Close()
	defer b.Runner.Close()
	defer func() {
		if err != nil && !errors.Is(err, ErrMaxRuntime) {
			b.SetState(StateFailed)
		}
		b.End(err)
	}()
	if err := b.preflight(ctx); err != nil {
		return err
	}
	if !b.cfg.Execute {
		return b.dryRun(ctx)
	}
	return b.execute(ctx)
}

// Resumable says whether a --resume can continue this run once it has
// ended: its checkpoint table exists.
func (b *Backfill) Resumable() bool { return b.ckptMade.Load() }

// preflight refuses, before any change, what cannot run.
func (b *Backfill) preflight(ctx context.Context) error {
	if err := b.cfg.validate(); err != nil {
		return err
	}
	if err := b.Begin(ctx); err != nil {
		return err
	}
	if err := b.eng.Open(ctx); err != nil {
		return err
	}
	if err := b.checkKeyKept(); err != nil {
		return err
	}
	if err := b.eng.Check(ctx); err != nil {
		return refuse("the change is not valid on %s: %v", b.tableName(), err)
	}
	if err := b.checkCheckpoint(ctx); err != nil {
		return err
	}
	b.estimate.Store(b.eng.EstimateRows(ctx))
	if b.cfg.Execute {
		if err := b.Hook(ctx, hooks.OnValidated, nil); err != nil {
			return &Refused{Err: err}
		}
		if err := b.Listen(control.Options{Table: b.cfg.Table}, b); err != nil {
			return err
		}
	}
	return nil
}

// checkKeyKept refuses a change of the columns chunks are cut by: a row
// whose key moves into a chunk not yet run would be changed again there, and
// one moving back into a chunk done would be skipped.
func (b *Backfill) checkKeyKept() error {
	assigns := b.cfg.Assigns
	if b.cfg.Set != "" {
		assigns = setTargets(b.cfg.Set)
	}
	for _, k := range b.eng.Key() {
		for _, a := range assigns {
			if strings.EqualFold(a, k) {
				return refuse("the change writes %s, a column of the key that the chunks of %s are cut by: rows would move between chunks, changed twice or never; "+
					"change the key with a migration (add the new key column, backfill it, switch), not a backfill", k, b.tableName())
			}
		}
	}
	return nil
}

func (b *Backfill) tableName() string {
	if b.cfg.Engine == EnginePostgres {
		return b.cfg.Schema + "." + b.cfg.Table
	}
	return b.cfg.Conn.Database + "." + b.cfg.Table
}

// statement is what the checkpoint records of the change, to refuse a
// --resume of a different one.
func (b *Backfill) statement() string {
	if b.cfg.Template != "" {
		return b.cfg.Template
	}
	return "SET " + b.cfg.Set + " WHERE " + b.cfg.Where
}

// execute runs the chunks with the throttler, the schedule, the control
// socket, the checkpoint and the progress around them.
func (b *Backfill) execute(ctx context.Context) error {
	if b.resumed == nil {
		if err := b.eng.CreateCheckpoint(ctx); err != nil {
			return err
		}
	}
	b.ckptMade.Store(true)
	c := b.cfg
	th := throttle.New(throttle.Config{Settings: c.Throttle, Primary: b.eng.Primary(), SQL: b.eng.ThrottleSQL(),
		Table: c.Table, OpenReplica: b.eng.OpenReplica, HeartbeatInterval: c.HeartbeatInterval, Log: c.Log})
	sched := b.schedule()
	wait := func(ctx context.Context) error {
		if err := sched.Wait(ctx); err != nil {
			return err
		}
		return th.Wait(ctx)
	}
	p := &parts{throttle: th, began: c.Clock.Now(), eta: job.NewETA(), copier: copier.New(b.eng.Chunks(), copier.Options{ChunkSize: c.ChunkSize, FixedChunkSize: c.ChunkSize > 0,
		ChunkTime: c.ChunkTime, Threads: c.Threads, Wait: wait, After: th.Nice, Start: b.start})}
	b.running.Store(p)
	b.Publish(p.copier, th)
	tasks := []job.Task{{Name: "throttler", Run: th.Run},
		b.Periodic("checkpoint", c.CheckpointInterval, "checkpoint not written; the next one will try again", b.saveCheckpoint),
		b.progress()}
	err := b.Work(ctx, tasks, func(ctx context.Context) error { return b.runChunks(ctx, p.copier) })
	return b.finish(err)
}

func (b *Backfill) runChunks(ctx context.Context, cp *copier.Copier) error {
	if err := b.Hook(ctx, hooks.OnBeforeRowCopy, nil); err != nil {
		return err
	}
	b.SetState(StateRunning)
	if err := cp.Run(ctx); err != nil {
		return err
	}
	return b.Hook(ctx, hooks.OnRowCopyComplete, nil)
}

func (b *Backfill) schedule() *schedule {
	w, _ := ParseWindow(b.cfg.Window, b.cfg.WindowTZ) // validated in preflight
	s := &schedule{clock: b.cfg.Clock, startAt: b.cfg.StartAt, window: w, waiting: b.setWaiting}
	if b.cfg.MaxRuntime > 0 {
		s.deadline = b.started.Add(b.cfg.MaxRuntime)
	}
	return s
}

// setWaiting records why the schedule holds the chunks ("" when it does not).
func (b *Backfill) setWaiting(why string) {
	if b.waitWhy.Swap(why) == why {
		return
	}
	if why == "" {
		b.SetState(StateRunning)
		return
	}
	b.cfg.Log.Info().Str("reason", why).Msg("backfill waits")
	b.SetState(StateWaiting)
}

// finish writes the last checkpoint and says how the backfill ended.
func (b *Backfill) finish(err error) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out := b.cfg.Out
	took := b.cfg.Clock.Now().Sub(b.started).Round(time.Millisecond)
	changed := b.running.Load().copier.Copied()
	if err == nil {
		if derr := b.eng.DropCheckpoint(ctx); derr != nil {
			b.cfg.Log.Warn().Err(derr).Msg("could not drop the checkpoint table; `hotswap cleanup` drops it")
		}
		b.SetState(StateDone)
		fmt.Fprintf(out, "Backfill of %s done in %s: %d rows changed.\n", b.tableName(), took, changed)
		return nil
	}
	if serr := b.saveCheckpoint(ctx); serr != nil {
		b.cfg.Log.Warn().Err(serr).Msg("last checkpoint not written; --resume starts from the one before")
	}
	if errors.Is(err, ErrMaxRuntime) {
		b.SetState(StateStopped)
		fmt.Fprintf(out, "Backfill of %s stopped after --max-runtime %s: %d rows changed in this run. Run the same command with --resume to continue.\n",
			b.tableName(), b.cfg.MaxRuntime, changed)
		return nil
	}
	fmt.Fprintf(out, "Backfill of %s FAILED after %s: %v\n%d rows changed in this run (each chunk commits on its own). The checkpoint table %s records the progress: run the same command with --resume to continue, or `hotswap cleanup --table %s --execute` to drop it.\n",
		b.tableName(), took, err, changed, b.eng.CheckpointTable(), b.cfg.Table)
	b.cfg.Log.Error().Err(err).Msg("backfill failed")
	return err
}
