package versions

import (
	"context"
	"fmt"
	"time"

	"github.com/hotswap/hotswap/engine"
	"github.com/hotswap/hotswap/migration"
)

// A version's online ALTERs that follow one another, each of another table
// of one schema, switch together: one run of several tables (migration.Set)
// with one cut-over, so the application never sees some of them new and
// others old. With --attempt-instant-ddl each is first tried in place on
// its own (a change in place cannot wait for the others): those the server
// makes in place are done at once, the rest switch together. A revert
// window keeps them one by one (each run its own window).

// onlineRun is the statements, from i on, that switch together: their
// indexes and plans; fewer than two means statement i runs on its own.
func (r *runner) onlineRun(ctx context.Context, stmts []engine.Statement, steps []step, i int) ([]int, []plan, error) {
	if r.cfg.Online.RevertWindow > 0 {
		return nil, nil, nil
	}
	var idx []int
	var plans []plan
	seen := map[string]bool{}
	for j := i; j < len(stmts) && len(idx) < engine.MaxSetTables && !steps[j].Done; j++ {
		p, err := r.method(ctx, stmts[j])
		if err != nil {
			return nil, nil, err
		}
		if steps[j].Started {
			p.method = methodOnline // as runStatement: it resumes
		}
		if p.method != methodOnline || seen[p.table] || (len(plans) > 0 && p.schema != plans[0].schema) {
			break
		}
		seen[p.table] = true
		idx, plans = append(idx, j), append(plans, p)
	}
	return idx, plans, nil
}

// runTogether runs statements idx (plans) of rec's file as one run of
// several tables, after trying each in place; rows is what they copied.
func (r *runner) runTogether(ctx context.Context, rec *engine.Record, prog progress, stmts []engine.Statement, idx []int, plans []plan) (rows int64, err error) {
	steps := prog.Statements
	r.closeWindows()
	for n, i := range idx {
		p := plans[n]
		steps[i].Line, steps[i].Method, steps[i].Schema, steps[i].Table, steps[i].Rows = stmts[i].Line, methodOnline, p.schema, p.table, p.rows
	}
	left, leftPlans, err := r.tryInPlace(ctx, rec, prog, idx, plans)
	if err != nil || len(left) == 0 {
		return 0, err
	}
	if len(left) == 1 {
		rows, err := r.runStatement(ctx, rec, prog, left[0], stmts[left[0]])
		steps[left[0]].Done = err == nil
		return rows, err
	}
	resume := false
	alters := make([]engine.TableAlter, len(left))
	for n, i := range left {
		resume = resume || steps[i].Started
		alters[n] = engine.TableAlter{Schema: leftPlans[n].schema, Table: leftPlans[n].table, Clauses: leftPlans[n].clauses}
	}
	cfg := r.onlineConfig(leftPlans[0])
	cfg.Resume, cfg.InitiallyDropGhost = resume, !resume
	set := migration.NewSet(cfg, alters)
	fmt.Fprintf(r.cfg.Out, "Version %d (%s): the online ALTERs of lines %s run together, their tables switching in one cut-over.\n", rec.Version, rec.Name, lines(steps, left))
	stop := r.watchSet(ctx, rec, prog, set, left, resume)
	err = set.Run(ctx)
	stop()
	for n, m := range set.Runs() {
		rows += m.Copied()
		if err != nil {
			r.noteCheckpoint(ctx, m, &steps[left[n]].Started)
		}
	}
	if err != nil {
		return rows, fmt.Errorf("the online ALTERs of lines %s, switched together: %w", lines(steps, left), err)
	}
	for _, i := range left {
		steps[i].Done = true
	}
	return rows, nil
}

// tryInPlace runs each statement in place when the server can
// (--attempt-instant-ddl; not for one resuming: it has a shadow and a
// checkpoint), recording those done; it returns the others.
func (r *runner) tryInPlace(ctx context.Context, rec *engine.Record, prog progress, idx []int, plans []plan) ([]int, []plan, error) {
	if !r.cfg.Online.AttemptInstantDDL {
		return idx, plans, nil
	}
	steps := prog.Statements
	var left []int
	var leftPlans []plan
	for n, i := range idx {
		if steps[i].Started {
			left, leftPlans = append(left, i), append(leftPlans, plans[n])
			continue
		}
		cfg := r.onlineConfig(plans[n])
		cfg.InstantOnly, cfg.InitiallyDropGhost = true, true
		m := migration.New(cfg)
		if err := m.Run(ctx); err != nil {
			return nil, nil, fmt.Errorf("line %d: %w", steps[i].Line, err)
		}
		if !m.Instant() {
			left, leftPlans = append(left, i), append(leftPlans, plans[n])
			continue
		}
		steps[i].Method, steps[i].Done = methodInstant, true
		rec.Steps = prog.encode()
		if err := r.save(ctx, *rec); err != nil {
			return nil, nil, err
		}
	}
	return left, leftPlans, nil
}

// watchSet records each table's checkpoint as it appears (a kill then
// resumes the set) and the version postponed while the set's cut-over
// waits, from one goroutine (the record is not shared); stop ends it.
func (r *runner) watchSet(ctx context.Context, rec *engine.Record, prog progress, set *migration.Set, idx []int, resume bool) (stop func()) {
	steps := prog.Statements
	done, watched := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(watched)
		waiting := false
		for {
			select {
			case <-done:
				return
			case <-time.After(100 * time.Millisecond):
			}
			for n, m := range set.Runs() {
				if i := idx[n]; !steps[i].Started && m.Resumable() {
					steps[i].Started = true
					rec.Steps = prog.encode()
					if err := r.save(context.WithoutCancel(ctx), *rec); err != nil {
						r.cfg.Log.Warn().Err(err).Msg("could not record that the online statement has a checkpoint")
					}
				}
			}
			if p := set.Status().State == migration.StatePostponed; p != waiting {
				waiting = p
				r.recordPostponed(ctx, rec, p, "lines "+lines(steps, idx))
			}
		}
	}()
	return func() {
		close(done)
		<-watched
	}
}

// lines names statements by their lines, for messages.
func lines(steps []step, idx []int) string {
	s := ""
	for n, i := range idx {
		if n > 0 {
			s += ", "
		}
		s += fmt.Sprint(steps[i].Line)
	}
	return s
}
