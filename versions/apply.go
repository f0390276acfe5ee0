package versions

import (
	"context"
	"fmt"
	"time"

	"github.com/hotswap/hotswap/engine"
	"github.com/hotswap/hotswap/job"
	"github.com/hotswap/hotswap/migration"
)

// applyFile runs one file's statements (a version's up or down), recording
// each in rec.Steps as it goes: a statement done is never run again, an
// online one that had started continues from its checkpoint.
func (r *runner) applyFile(ctx context.Context, rec engine.Record, text string, down bool) error {
	stmts, err := r.db.Split(text)
	if err != nil {
		return r.fail(ctx, rec, 0, fmt.Errorf("split the file into statements: %w", err))
	}
	prog, err := readProgress(rec.Steps)
	if err == nil {
		prog, err = prog.forFile(len(stmts), down)
	}
	if err != nil {
		return r.fail(ctx, rec, 0, err)
	}
	steps := prog.Statements
	done := StateApplied
	if down {
		done = StateReverted
	}
	t0 := time.Now()
	rec.State, rec.Error = StateRunning, ""
	if rec.Started.IsZero() {
		rec.Started = t0.UTC()
	}
	rec.Steps = prog.encode()
	if err := r.save(ctx, rec); err != nil { // running from here: a kill leaves it so
		return err
	}
	for i := 0; i < len(stmts); i++ {
		if steps[i].Done {
			continue
		}
		steps[i].Line = stmts[i].Line
		together, plans, err := r.onlineRun(ctx, stmts, steps, i)
		var rows int64
		if err == nil && len(together) > 1 {
			rows, err = r.runTogether(ctx, &rec, prog, stmts, together, plans)
		} else if err == nil {
			rows, err = r.runStatement(ctx, &rec, prog, i, stmts[i])
		}
		if err != nil {
			rec.Steps = prog.encode() // with whether an online statement can resume
			return r.fail(ctx, rec, i+1, err)
		}
		if len(together) > 1 {
			i = together[len(together)-1]
		}
		steps[i].Done = true
		rec.Rows += rows
		rec.Steps = prog.encode()
		if err := r.save(ctx, rec); err != nil {
			return err
		}
	}
	rec.State, rec.Finished = done, time.Now().UTC()
	rec.Duration += time.Since(t0)
	rec.Steps = prog.encode()
	return r.save(ctx, rec)
}

// runStatement runs statement i the way that fits it and returns the rows
// it copied (online).
func (r *runner) runStatement(ctx context.Context, rec *engine.Record, prog progress, i int, st engine.Statement) (int64, error) {
	steps := prog.Statements
	how, err := r.method(ctx, st)
	if err != nil {
		return 0, err
	}
	resume := steps[i].Started
	if resume { // its run left a checkpoint: it goes on online, whatever the table's size says now
		how.method = methodOnline
	}
	if steps[i].Method == methodBackfill && how.change != nil && how.change.unchunkable == "" {
		how.method = methodBackfill // it may have changed rows already: it goes on in chunks (from its checkpoint)
	}
	steps[i].Method, steps[i].Schema, steps[i].Table, steps[i].Rows = how.method, how.schema, how.table, how.rows
	r.closeWindows() // a later statement may change their tables (window.go)
	switch how.method {
	case methodDirect:
		r.cfg.Log.Info().Uint64("version", rec.Version).Int("line", st.Line).Msg("statement runs directly")
		return 0, r.db.Exec(ctx, st.SQL)
	case methodBackfill:
		r.cfg.Log.Info().Uint64("version", rec.Version).Int("line", st.Line).Str("table", how.table).Msg("statement runs as a background backfill")
		return r.runBackfill(ctx, how)
	}
	hooks := runHooks{
		checkpointed: func() { // from here a kill resumes it; before, it starts afresh
			steps[i].Started = true
			rec.Steps = prog.encode()
			if err := r.save(context.WithoutCancel(ctx), *rec); err != nil {
				r.cfg.Log.Warn().Err(err).Msg("could not record that the online statement has a checkpoint")
			}
		},
		postponed: func(waiting bool) { r.recordPostponed(ctx, rec, waiting, how.table) },
	}
	at := stepAt{version: rec.Version, step: i}
	rows, instant, err := r.runOnline(ctx, how, at, resume, hooks, &steps[i].Started)
	if rec.State == StatePostponed {
		rec.State = StateRunning
	}
	steps[i].Window = err == nil && len(r.windows) > 0
	if instant {
		steps[i].Method = methodInstant
	}
	if err != nil && resume && job.IsRefused(err) {
		err = fmt.Errorf("%w\n(the online ALTER of %s may have finished just before migrate was stopped: if %s has its new definition, record the version with `hotswap migrate mark %d --state applied`)",
			err, how.table, how.table, rec.Version)
	}
	return rows, err
}

// recordPostponed shows in the history a version whose cut-over (of what)
// waits for the postpone flag file, or no longer.
func (r *runner) recordPostponed(ctx context.Context, rec *engine.Record, waiting bool, what string) {
	rec.State = StateRunning
	if waiting {
		rec.State = StatePostponed
		fmt.Fprintf(r.cfg.Out, "Version %d (%s): the cut-over of %s is postponed while %s exists.\n", rec.Version, rec.Name, what, r.cfg.Online.PostponeFlagFile)
	}
	if err := r.save(context.WithoutCancel(ctx), *rec); err != nil {
		r.cfg.Log.Warn().Err(err).Msg("could not record the version's state")
	}
}

// stepAt is a statement's place: its version and its index in the file.
type stepAt struct {
	version uint64
	step    int
}

// runHooks are told what an online statement's run reaches, from the one
// goroutine that watches it (watch).
type runHooks struct {
	checkpointed func()     // the run has a checkpoint to resume from
	postponed    func(bool) // its cut-over waits for the postpone flag file (true), or no longer
}

// watch calls the hooks as m gets there, until done is closed; checkpointed
// is not called for a resumed run (it had one).
func (h runHooks) watch(m *migration.Migration, resume bool, done chan struct{}) {
	marked, waiting := resume, false
	for {
		select {
		case <-done:
			return
		case <-time.After(100 * time.Millisecond):
		}
		if !marked && m.Resumable() {
			marked = true
			h.checkpointed()
		}
		if p := m.State() == migration.StatePostponed; p != waiting {
			waiting = p
			h.postponed(p)
		}
	}
}

// onlineConfig is the run of an online statement.
func (r *runner) onlineConfig(how plan) migration.Config {
	cfg := r.cfg.Online
	cfg.Engine, cfg.Conn, cfg.Schema = r.cfg.Engine, r.cfg.Conn, r.cfg.Schema
	if how.schema != "" {
		if cfg.Engine == migration.EnginePostgres {
			cfg.Schema = how.schema
		} else {
			cfg.Conn.Database = how.schema
		}
	}
	cfg.Table, cfg.Alter, cfg.Execute = how.table, how.clauses, true
	// The old table an earlier cut-over of this table kept (or the new one a
	// revert kept) holds the name this run's needs: each table keeps the old
	// table of its latest cut-over only, as a later version supersedes it.
	cfg.InitiallyDropOld = true
	cfg.Log, cfg.Out = r.cfg.Log, r.cfg.Out
	if cfg.RevertWindow > 0 { // each run its own socket, where `migrate down` and `hotswap revert` find it
		cfg.ServeSocketFile = r.socketFor(how.schema, how.table)
	}
	return cfg
}

// runOnline runs an ALTER TABLE through package migration; resume
// continues the run a killed migrate started. checkpointed is called once
// the run has a checkpoint to resume from. A run that starts afresh drops
// what a run killed before its first checkpoint left (its shadow). With a
// revert window, it returns once the window is open, the run going on
// (window.go). instant: the server made the change in place
// (Online.AttemptInstantDDL), which it tries first.
func (r *runner) runOnline(ctx context.Context, how plan, at stepAt, resume bool, hooks runHooks, started *bool) (rows int64, instant bool, err error) {
	cfg := r.onlineConfig(how)
	cfg.Resume, cfg.InitiallyDropGhost = resume, !resume
	m := migration.New(cfg)
	done := make(chan struct{})
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		hooks.watch(m, resume, done)
	}()
	if cfg.RevertWindow > 0 {
		err = r.awaitWindow(ctx, m, at.version, at.step, how.table)
	} else {
		err = m.Run(ctx)
	}
	close(done)
	<-watched
	if err != nil {
		r.noteCheckpoint(ctx, m, started)
	}
	return m.Copied(), m.Instant(), err
}

// noteCheckpoint records, after m failed, whether its checkpoint is kept:
// the statement's next run resumes only then.
func (r *runner) noteCheckpoint(ctx context.Context, m *migration.Migration, started *bool) {
	if m.CheckpointName() == "" {
		return
	}
	cfg := m.Config()
	where := cfg.Schema
	if cfg.Engine != migration.EnginePostgres {
		where = cfg.Conn.Database
	}
	_, _, kept, err := r.db.Size(context.WithoutCancel(ctx), where, m.CheckpointName())
	if err == nil && kept != *started {
		r.cfg.Log.Info().Bool("checkpoint_kept", kept).Str("table", cfg.Table).Msg("the online statement's next run resumes only if its checkpoint is kept")
		*started = kept
	}
}

// fail records the version as failed at statement n (1-based; 0: before
// any) and says how to go on.
func (r *runner) fail(ctx context.Context, rec engine.Record, n int, cause error) error {
	rec.State, rec.Error = StateFailed, cause.Error()
	if err := r.save(ctx, rec); err != nil {
		return fmt.Errorf("%w (and recording the failure: %v)", cause, err)
	}
	at := "before its first statement"
	if n > 0 {
		at = fmt.Sprintf("at its statement %d", n)
	}
	return fmt.Errorf("version %d (%s) failed %s: %w\nFix the cause and run the same command again: it continues at that statement (an online ALTER from its checkpoint), never running a finished one again; or do the rest by hand and record it with `hotswap migrate mark %d --state applied`",
		rec.Version, rec.Name, at, cause, rec.Version)
}
