package versions

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hotswap/hotswap/control"
	"github.com/hotswap/hotswap/engine"
	"github.com/hotswap/hotswap/migration"
)

// Revert windows (Config.Online.RevertWindow): each online statement's run
// stays alive after its cut-over, keeping its old table current (package
// migration's revert window). A later statement closes the windows open
// before it runs (it may change the same table, and a window follows its
// table's stream, which any other DDL of the table ends), so the windows
// left at the end of up are those of the last version's trailing online
// statements. When they are all of that version's statements, the version
// is recorded revertible, up stays to serve them, and `migrate down` reverts
// the version at once by swapping each old table back (newest first),
// instead of running its down file. When the windows end (their time, a
// finalize on a run's socket, Ctrl-C) the version is recorded applied.

// liveWindow is an online statement's run in its revert window.
type liveWindow struct {
	version uint64
	step    int // the statement's index in its file
	table   string
	m       *migration.Migration
	done    chan error // the run's end
}

// awaitWindow runs m until it has cut over and opened its window (kept in
// r.windows, still running) or ended.
func (r *runner) awaitWindow(ctx context.Context, m *migration.Migration, version uint64, step int, table string) error {
	w := &liveWindow{version: version, step: step, table: table, m: m, done: make(chan error, 1)}
	go func() { w.done <- m.Run(ctx) }()
	for {
		select {
		case err := <-w.done:
			return err
		case <-time.After(50 * time.Millisecond):
		}
		if m.State() == migration.StateRevertible {
			r.windows = append(r.windows, w)
			return nil
		}
	}
}

// closeWindows finalizes every open window and waits for its run to end:
// before any later statement runs, and when up ends without keeping them.
func (r *runner) closeWindows() {
	for _, w := range r.windows {
		if err := w.m.Finalize(); err != nil {
			r.cfg.Log.Debug().Err(err).Str("table", w.table).Msg("finalize: the window had ended")
		}
		if err := <-w.done; err != nil {
			r.cfg.Log.Warn().Err(err).Str("table", w.table).Msg("the revert window ended with an error; the migration stands")
		}
	}
	r.windows = nil
}

// socketFor is the control socket of an online statement's run with a
// window: the one `hotswap revert --table` derives too.
func (r *runner) socketFor(schema, table string) string {
	c := r.cfg.Conn
	if r.cfg.Engine == migration.EnginePostgres {
		return control.RunSocketPath(r.cfg.Engine, c.Host, c.Port, c.Database, cmp.Or(schema, r.cfg.Schema), table)
	}
	return control.RunSocketPath(r.cfg.Engine, c.Host, c.Port, cmp.Or(schema, c.Database), "", table)
}

// holdWindows ends up: when the windows open are every statement of the
// last version applied, the version is recorded revertible and up waits
// for the windows to end (reverted by `migrate down`, or finalized), then
// records the outcome; otherwise they are closed now.
func (r *runner) holdWindows(ctx context.Context, rec engine.Record) error {
	if len(r.windows) == 0 {
		return nil
	}
	prog, err := readProgress(rec.Steps)
	if err != nil || !r.windowsCover(rec.Version, len(prog.Statements)) {
		fmt.Fprintf(r.cfg.Out, "Closing the revert windows: not every statement of version %d ran online, so `migrate down` runs its down file.\n", rec.Version)
		r.closeWindows()
		return nil
	}
	rec.State = StateRevertible
	if err := r.save(ctx, rec); err != nil {
		r.closeWindows()
		return err
	}
	tables := make([]string, len(r.windows))
	for i, w := range r.windows {
		tables[i] = w.table
	}
	fmt.Fprintf(r.cfg.Out, "Version %d (%s) is revertible for %s: `hotswap migrate down` (same flags) swaps %s back at once; "+
		"the version is recorded applied when the window ends or is finalized (`finalize` on each table's socket).\n",
		rec.Version, rec.Name, r.cfg.Online.RevertWindow, strings.Join(tables, ", "))
	reverted, kept := 0, 0
	for _, w := range r.windows {
		err := <-w.done
		switch {
		case w.m.State() == migration.StateReverted:
			reverted++
		case err != nil:
			r.cfg.Log.Warn().Err(err).Str("table", w.table).Msg("the revert window ended with an error")
			kept++
		default:
			kept++
		}
	}
	r.windows = nil
	return r.recordWindowsEnd(ctx, rec, reverted, kept, ctx.Err())
}

// windowsCover says whether the open windows are every statement of
// version n, a file of stmts statements.
func (r *runner) windowsCover(n uint64, stmts int) bool {
	seen := map[int]bool{}
	for _, w := range r.windows {
		if w.version == n {
			seen[w.step] = true
		}
	}
	return len(seen) == stmts && len(r.windows) == stmts
}

// recordWindowsEnd records how a revertible version's windows ended: all
// reverted, none (applied), or some (failed: say which). stopped is the
// cause when up itself was stopped in the window (Ctrl-C), which ends the
// windows with the migration standing (a crash instead leaves the version
// revertible, with the windows' checkpoints: the next up or down settles
// them).
func (r *runner) recordWindowsEnd(ctx context.Context, rec engine.Record, reverted, kept int, stopped error) error {
	switch {
	case stopped != nil && reverted == 0:
		rec.State = StateApplied
		fmt.Fprintf(r.cfg.Out, "Stopped in the revert window of version %d (%s): the windows are closed, the version is applied (`migrate down` now runs its down file).\n", rec.Version, rec.Name)
		if err := r.save(ctx, rec); err != nil {
			return err
		}
		return stopped
	case reverted == 0:
		rec.State = StateApplied
		fmt.Fprintf(r.cfg.Out, "The revert window of version %d (%s) is over: the version is applied.\n", rec.Version, rec.Name)
	case kept == 0:
		rec.State, rec.Finished = StateReverted, time.Now().UTC()
		fmt.Fprintf(r.cfg.Out, "Version %d (%s) was reverted in its window.\n", rec.Version, rec.Name)
	default:
		rec.State = StateFailed
		rec.Error = fmt.Sprintf("%d of its online statements were reverted in their window and %d were not: revert the rest by hand, then record the version with `hotswap migrate mark %d --state reverted`", reverted, kept, rec.Version)
		if err := r.save(ctx, rec); err != nil {
			return err
		}
		return errors.New(rec.Error)
	}
	return r.save(ctx, rec)
}

// settleWindows handles a revertible version whose up is gone (killed or
// stopped in the window; the caller holds the migrate lock, so no up is
// alive): each statement's run is resumed from its window checkpoint, then
// reverted (down) or finalized (up), newest first.
func (r *runner) settleWindows(ctx context.Context, rec engine.Record, revert bool) error {
	v, ok := r.version(rec.Version)
	prog, err := readProgress(rec.Steps)
	if !ok || err != nil {
		return fmt.Errorf("version %d (%s) is revertible, but its file or its record is gone (%v): record it with `hotswap migrate mark %d --state applied` (or reverted)", rec.Version, rec.Name, err, rec.Version)
	}
	stmts, err := r.db.Split(v.Up)
	if err != nil || len(stmts) != len(prog.Statements) {
		return fmt.Errorf("version %d (%s): its file no longer matches its record (%v)", rec.Version, rec.Name, err)
	}
	reverted, kept := 0, 0
	for i := len(stmts) - 1; i >= 0; i-- {
		schema, table, clauses, ok := r.db.ParseAlterTable(stmts[i].SQL)
		if !ok || !prog.Statements[i].Window {
			continue
		}
		cfg := r.onlineConfig(plan{schema: schema, table: table, clauses: clauses})
		cfg.Resume, cfg.RevertWindow = true, 0 // without a window: the resume finalizes it
		if revert {
			cfg.RevertWindow = max(r.cfg.Online.RevertWindow, time.Minute) // the window keeps its own end
			cfg.ServeSocketFile = r.socketFor(schema, table)
		}
		m := migration.New(cfg)
		if done, err := r.resumeWindow(ctx, m, revert); err != nil {
			return fmt.Errorf("version %d (%s), the revert window of %s: %w", rec.Version, rec.Name, table, err)
		} else if done {
			reverted++
		} else {
			kept++
		}
	}
	if !revert {
		rec.State = StateApplied
		fmt.Fprintf(r.cfg.Out, "The revert windows of version %d (%s) are closed: the version is applied.\n", rec.Version, rec.Name)
		return r.save(ctx, rec)
	}
	return r.recordWindowsEnd(ctx, rec, reverted, kept, nil)
}

// resumeWindow runs a resumed window's run to its end: with revert, it
// reverts once the window is open again (a window found over is finalized
// by the run itself); reverted says whether the old table is back.
func (r *runner) resumeWindow(ctx context.Context, m *migration.Migration, revert bool) (reverted bool, err error) {
	if !revert {
		return false, m.Run(ctx)
	}
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	for {
		select {
		case err := <-done:
			return m.State() == migration.StateReverted, err
		case <-time.After(50 * time.Millisecond):
		}
		if m.State() != migration.StateRevertible {
			continue
		}
		if err := m.Revert(); err != nil {
			_ = m.Finalize()
			<-done
			return false, fmt.Errorf("revert: %w (the window is closed; the migration stands)", err)
		}
	}
}

// revertLive reverts a revertible version whose up is alive in its windows:
// each statement's run is asked on its socket to revert, newest first; the
// up records the version reverted, which this waits to see.
func (r *runner) revertLive(ctx context.Context, rec engine.Record) error {
	prog, err := readProgress(rec.Steps)
	if err != nil {
		return err
	}
	for i := len(prog.Statements) - 1; i >= 0; i-- {
		st := prog.Statements[i]
		if !st.Window {
			continue
		}
		socket := r.socketFor(st.Schema, st.Table)
		reply, err := control.SendWait(ctx, socket, "revert")
		if err != nil {
			if reply == "" {
				reply = "no run answers on " + socket
			}
			return fmt.Errorf("version %d (%s): the revert of %s in its window failed: %s (%v)", rec.Version, rec.Name, st.Table, reply, err)
		}
		fmt.Fprintf(r.cfg.Out, "Reverted %s in its window.\n", st.Table)
	}
	for range 600 { // the up serving the windows records the outcome as they end
		recs, err := r.db.History(ctx)
		if err != nil {
			return err
		}
		for _, h := range recs {
			if h.Version == rec.Version && h.State != StateRevertible {
				r.history[h.Version] = h
				fmt.Fprintf(r.cfg.Out, "Version %d (%s) is %s.\n", h.Version, h.Name, h.State)
				return nil
			}
		}
		if time.Sleep(100 * time.Millisecond); ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return fmt.Errorf("version %d (%s): its tables are reverted, but the up serving the windows has not recorded it within a minute: check `hotswap migrate status`", rec.Version, rec.Name)
}

// newestRevertible is the newest version applied, when it is revertible.
func (r *runner) newestRevertible() (engine.Record, bool) {
	var newest engine.Record
	for _, rec := range r.history {
		if (isApplied(rec.State) || rec.State == StateRunning || rec.State == StatePostponed || rec.State == StateFailed) && rec.Version > newest.Version {
			newest = rec
		}
	}
	return newest, newest.State == StateRevertible
}
