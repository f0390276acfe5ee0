package migration

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/hotswap/hotswap/control"
	"github.com/hotswap/hotswap/engine"
	"github.com/hotswap/hotswap/job"
)

// Set is one run of several ALTERs (alter --statement): a Migration per
// table, each with its own shadow, change stream, copy and checkpoint, all
// started only once every preflight has passed, and one cut-over that
// switches every table at once (engine.CutOverSet). The control socket
// serves the set: throttling, chunk-size, unpostpone and panic reach every
// table; status reports the set and each table.
type Set struct {
	cfg   Config
	runs  []*Migration
	group *group
	r     *job.Runner // the set's control socket and panic flag file
}

// NewSet prepares a run of alters with base's settings; nothing touches the
// server before Run. The copy threads are shared out between the tables.
func NewSet(base Config, alters []engine.TableAlter) *Set {
	base.defaults()
	s := &Set{cfg: base, group: newGroup(len(alters))}
	for _, a := range alters {
		c := base
		c.Table, c.Alter = a.Table, a.Clauses
		if base.Engine == EnginePostgres { // MySQL's is the connection's database
			c.Schema = a.Schema
		}
		c.Threads = max(1, base.Threads/len(alters))
		c.ServeSocketFile, c.ServeTCPPort = "", 0 // the set listens
		c.Progress = nil                          // one line per table would overwrite the others'
		c.AttemptInstantDDL = false               // a table changed in place would switch before the others
		c.inSet = true
		for _, o := range alters {
			c.setTables = append(c.setTables, o.Table)
		}
		c.Log = base.Log.With().Str("table", a.Table).Logger()
		m := New(c)
		m.group = s.group
		s.runs = append(s.runs, m)
	}
	s.r = job.NewRunner(base.Settings, base.Execute, base.Log, func() map[string]string { return nil }, StatePreflight)
	return s
}

// Runs are the set's migrations, one per table, in the order given.
func (s *Set) Runs() []*Migration { return s.runs }

// Run runs every table's migration at once. A run that fails before the
// cut-over stops the others (each reports what it left and how to resume);
// after it, each finishes on its own. The error is the first failure.
func (s *Set) Run(ctx context.Context) error {
	if s.cfg.RevertWindow > 0 && len(s.runs) > 1 {
		return refuse("--revert-window is not available for a run of several tables yet: alter them one by one to keep a window")
	}
	if s.cfg.Execute {
		if err := s.r.Listen(control.Options{Table: s.tables(), ForceNamedCutOver: s.cfg.ForceNamedCutOver,
			ForceNamedPanic: s.cfg.ForceNamedPanic}, s); err != nil {
			return err
		}
	}
	defer s.r.Close()
	var tasks []job.Task
	if s.cfg.Progress != nil { // the whole run's live line; each table logs its own progress otherwise
		tasks = append(tasks, job.Progress{Status: s.Status, Tick: 500 * time.Millisecond,
			LogEvery: func(control.Status) time.Duration { return time.Hour }, Log: func(control.Status) {}}.Task(s.r))
	}
	var errs []error
	err := s.r.Work(ctx, tasks, func(ctx context.Context) error {
		errs = s.runAll(ctx)
		return firstError(errs)
	})
	return err
}

// runAll runs every migration on its own goroutine; the errors are by table.
func (s *Set) runAll(ctx context.Context) []error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	errs := make([]error, len(s.runs))
	var wg sync.WaitGroup
	for i, m := range s.runs {
		wg.Go(func() {
			err := m.Run(ctx)
			if err == nil {
				s.group.leave(m)
				return
			}
			if ctx.Err() != nil && !errors.Is(err, context.Canceled) {
				// stopped by another table's failure: the driver may report the
				// interrupted statement as its own error (pgx: "i/o timeout"),
				// which must not pass for the set's cause
				err = fmt.Errorf("%w with the set (%v)", context.Canceled, err)
			}
			errs[i] = fmt.Errorf("%s: %w", m.cfg.Table, err)
			if !s.group.swapped() { // the others must not switch, nor go on copying
				s.group.fail(fmt.Errorf("%w (stopped with it)", errs[i]))
				cancel(errs[i])
			}
		})
	}
	wg.Wait()
	return errs
}

// firstError is the first failure other than "stopped with it": the cause,
// keeping a refusal's kind (nothing changed) when every run was refused.
func firstError(errs []error) error {
	var first error
	for _, err := range errs {
		if err == nil {
			continue
		}
		if first == nil || (errors.Is(first, context.Canceled) && !errors.Is(err, context.Canceled)) {
			first = err
		}
	}
	return first
}

// Resumable says whether a --resume can continue the set: some table's
// checkpoint exists.
func (s *Set) Resumable() bool {
	for _, m := range s.runs {
		if m.Resumable() {
			return true
		}
	}
	return false
}

func (s *Set) tables() string {
	names := make([]string, len(s.runs))
	for i, m := range s.runs {
		names[i] = m.cfg.Table
	}
	return strings.Join(names, ",")
}
