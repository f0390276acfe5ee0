package migration

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hotswap/hotswap/applier"
	"github.com/hotswap/hotswap/control"
	"github.com/hotswap/hotswap/copier"
	"github.com/hotswap/hotswap/engine"
	"github.com/hotswap/hotswap/hooks"
	"github.com/hotswap/hotswap/job"
	"github.com/hotswap/hotswap/throttle"
)

// Run performs the migration (or the dry run). A *Refused error means nothing
// was changed; any other error was reported with what is left behind.
func (m *Migration) Run(ctx context.Context) (err error) {
	m.started = time.Now()
	if m.engErr != nil {
		m.SetState(StateFailed)
		return m.engErr
	}
	defer m.close()
	defer func() {
		if err != nil {
			m.SetState(StateFailed)
		}
		m.End(err)
	}()
	if err := m.start(ctx); err != nil {
		return err
	}
	if m.cfg.RevertFrom != "" {
		return m.revertAfterRun(ctx)
	}
	if m.resumeDone && !m.cfg.Execute {
		fmt.Fprintf(m.cfg.Out, "Dry run: the earlier run's cut-over of %s had completed; --execute --resume removes its checkpoint.\n", m.tableName())
		return nil
	}
	if !m.cfg.Execute {
		return m.dryRun(ctx)
	}
	if m.resumeDone {
		return m.finishResumed(ctx)
	}
	if err := m.Hook(ctx, hooks.OnValidated, nil); err != nil {
		return m.refuseAndDrop(err)
	}
	if m.cfg.AttemptInstantDDL && !m.resuming { // a resume goes on copying: its shadow's names would clash with the probe's
		if done, err := m.tryInstant(ctx); done || err != nil {
			return err
		}
	}
	if m.cfg.InstantOnly {
		return m.dropShadow()
	}
	if err := m.execute(ctx); err != nil {
		m.keepForResume = engine.ConnectionLost(err)
		m.reportLeftovers(err)
		return err
	}
	if m.cfg.RevertWindow > 0 {
		return m.revertWindow(ctx)
	}
	return m.finish(ctx)
}

// start does everything that may still refuse the run: startup hook,
// connection, preflight, control socket, shadow.
func (m *Migration) start(ctx context.Context) error {
	if err := m.Begin(ctx); err != nil {
		return err
	}
	if err := m.eng.Connect(ctx); err != nil {
		return err
	}
	plan, err := m.eng.Preflight(ctx)
	m.shadow, m.old, m.chk = plan.Shadow, plan.Old, plan.Checkpoint // settled even by a refused preflight
	m.resuming, m.resumeDone, m.revertDone = plan.Resume, plan.ResumeDone || plan.RevertDone, plan.RevertDone
	if err != nil {
		return err
	}
	if err := throttle.CheckLoad(ctx, m.eng.ThrottleSQL(), m.eng.Primary(), m.cfg.Throttle); err != nil {
		return &Refused{Err: err}
	}
	if m.group != nil { // no table of a set is changed before every one has passed its preflight
		if err := m.group.preflighted(ctx, m); err != nil {
			return &Refused{Err: fmt.Errorf("not started, with the run's other tables: %w", err)}
		}
	}
	if m.cfg.Execute {
		if err := m.Listen(control.Options{Table: m.cfg.Table, ForceNamedCutOver: m.cfg.ForceNamedCutOver,
			ForceNamedPanic: m.cfg.ForceNamedPanic}, m); err != nil {
			return err
		}
	}
	if m.resumeDone {
		return nil
	}
	estimate, err := m.eng.PrepareShadow(ctx)
	if err != nil {
		return err
	}
	m.estimate.Store(estimate)
	if err := m.prepareCheckpoint(ctx); err != nil {
		return err
	}
	if m.cfg.Execute { // last: a refused run leaves no flag file behind
		if err := m.createPostponeFile(); err != nil {
			return m.refuseAndDrop(err)
		}
	}
	return nil
}

// execute streams, copies, applies and cuts over. The stream starts before
// the copy so no change after its start position is missed.
func (m *Migration) execute(ctx context.Context) error {
	if err := m.openStream(ctx); err != nil {
		return err
	}
	p := m.build()
	tasks := []job.Task{
		{Name: "change stream", Run: func(c context.Context) error { return m.eng.RunStream(c, m.applier) }},
		{Name: "applier", Run: m.applier.Run},
		{Name: "throttler", Run: p.throttler.Run},
		m.progress(),
		m.PeriodicUnless("checkpoint", m.cfg.CheckpointInterval, "checkpoint not written; the next one will try again", m.ckpt.saveIfReady, engine.ConnectionLost),
	}
	for name, task := range m.eng.Tasks() {
		tasks = append(tasks, job.Task{Name: name, Run: task})
	}
	if m.early != nil {
		tasks = append(tasks, job.Task{Name: "early checksum", Run: m.runEarly})
	}
	err := m.Work(ctx, tasks, m.copyAndCutOver)
	if err == nil && !m.swapped {
		err = errors.New("run ended without a cut-over")
	}
	return err
}

// maxPendingKeys bounds the applier's key set (about 100 bytes a key):
// past it the stream reader waits instead of memory growing.
const maxPendingKeys = 250_000

// build makes the run's parts and publishes them to the control socket.
func (m *Migration) build() *parts {
	c := m.cfg
	th := throttle.New(throttle.Config{Settings: c.Throttle, Primary: m.eng.Primary(), SQL: m.eng.ThrottleSQL(), Table: c.Table,
		OpenReplica: m.eng.OpenReplica, HeartbeatInterval: c.HeartbeatInterval, StreamLag: m.streamLag, Log: c.Log})
	source, resync := m.eng.RowSync()
	m.applier = applier.New(resync, applier.Options{Wait: th.WaitToApply, Ready: m.eng.ResyncReady(), Workers: c.Threads,
		MaxKeys: maxPendingKeys})
	m.eng.Attach(m.applier)
	opts := copier.Options{ChunkSize: c.ChunkSize, FixedChunkSize: c.ChunkSize > 0, ChunkTime: c.ChunkTime, Threads: c.Threads,
		Missing: m.applier.Add, Wait: th.Wait, After: th.Nice, Start: m.resumeStart}
	if m.early = m.newEarly(th.Wait); m.early != nil {
		opts.Copied = m.early.early.Copied
		m.applier.Record(maxTouchedKeys) // before the stream hands it anything
	}
	m.copier = copier.New(source, opts)
	p := &parts{copier: m.copier, applier: m.applier, throttler: th, eta: job.NewETA()}
	m.running.Store(p)
	m.Publish(m.copier, th)
	return p
}

func (m *Migration) copyAndCutOver(ctx context.Context) error {
	if err := m.Hook(ctx, hooks.OnRowCountComplete, nil); err != nil {
		return err
	}
	if err := m.Hook(ctx, hooks.OnBeforeRowCopy, nil); err != nil {
		return err
	}
	m.SetState(StateCopying)
	builds, err := m.deferIndexes(ctx)
	if err != nil {
		return err
	}
	m.parts().copyStart.Store(time.Now().UnixNano())
	if err := m.copier.Run(ctx); err != nil {
		return err
	}
	if err := m.buildDeferredIndexes(ctx, builds); err != nil {
		return err
	}
	m.ckpt.setIndexes(nil)
	m.cfg.Log.Info().Int64("rows", m.copier.Copied()).Dur("elapsed", time.Since(m.started)).Msg("copy done")
	if err := m.Hook(ctx, hooks.OnRowCopyComplete, nil); err != nil {
		return err
	}
	m.SetState(StateApplying)
	if err := m.nearlyCaughtUp(ctx); err != nil {
		return err
	}
	if err := m.Hook(ctx, hooks.OnBeforeCutOver, nil); err != nil {
		return err
	}
	if err := m.waitPostponed(ctx); err != nil {
		return err
	}
	if err := m.verify(ctx); err != nil {
		return err
	}
	return m.cutOver(ctx)
}

// buildDeferredIndexes builds the indexes the copy went without, with the
// applier held: the stream's changes wait (deduplicated, bounded) instead of
// being written into the shadow while its index is built. On MariaDB, shadow
// writes during an online ADD KEY are logged and applied in its final phase,
// where every writer of the server stalled for 0.2-0.8 s under 300 tx/s.
func (m *Migration) buildDeferredIndexes(ctx context.Context, builds []string) error {
	if len(builds) > 0 {
		m.SetState(StateIndexing)
		m.applier.Hold()
		defer m.applier.Release()
	}
	return m.eng.AfterCopy(ctx, builds)
}

func (m *Migration) close() {
	m.Runner.Close()
	m.eng.Close(m.keepForResume)
}
