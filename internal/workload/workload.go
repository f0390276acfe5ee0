package workload

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Workload writes random transactions to one table and models every
// acknowledged write. Create it with New.
type Workload struct {
	db     *sql.DB
	d      dialect // detected once in New; Check assumes the same engine
	opts   Options
	schema string
	plan   *plan
	model  *model
	ver    atomic.Int64 // last wl_ver handed out

	mu       sync.Mutex // guards the fields below
	keySpace int64      // resolved Options.KeySpace, 0 until Load or Start
	cur      *run       // nil when not running
	recs     []*recorder
	runs     uint64
}

// New introspects opts.Table in db's current database (MySQL/MariaDB) or
// current_schema() (PostgreSQL, when db uses the pgx stdlib driver) and
// prepares a workload for it. The table must be empty or filled only
// through Load: rows the model does not know about are reported by Check
// as extra.
func New(db *sql.DB, opts Options) (*Workload, error) {
	opts = opts.withDefaults()
	if err := opts.validate(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	d, err := detectDialect(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("workload: %w", err)
	}
	schema, err := d.currentSchema(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("workload: %w", err)
	}
	schema, table := splitTable(opts.Table, schema)
	p, err := introspect(ctx, d, db, schema, table)
	if err != nil {
		return nil, fmt.Errorf("workload: table %s: %w", qualify(d, schema, table), err)
	}
	if limit := p.key.maxID(); opts.KeySpace > limit {
		return nil, fmt.Errorf("workload: KeySpace %d exceeds %d, the most ids row key %s can hold",
			opts.KeySpace, limit, p.key.index)
	}
	return &Workload{db: db, d: d, opts: opts, schema: schema, plan: p,
		model: newModel(opts.Workers), keySpace: opts.KeySpace}, nil
}

func introspect(ctx context.Context, d dialect, db *sql.DB, schema, table string) (*plan, error) {
	cols, err := d.columns(ctx, db, schema, table)
	if err != nil {
		return nil, err
	}
	indexes, err := d.indexes(ctx, db, schema, table)
	if err != nil {
		return nil, err
	}
	return newPlan(d, schema, table, cols, indexes)
}

func (w *Workload) nextVer() int64 { return w.ver.Add(1) }

// resolveKeySpace fixes the default key space (2*rows + 1000, capped by
// what the row key can represent) the first time it is needed.
func (w *Workload) resolveKeySpace(rows int64) {
	if w.keySpace == 0 {
		w.keySpace = min(2*rows+1000, w.plan.key.maxID())
	}
}

// Start runs Options.Workers writers in the background until Stop is
// called or ctx is done. Starting a running workload does nothing.
func (w *Workload) Start(ctx context.Context) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.cur != nil {
		return
	}
	live, _ := w.model.counts()
	w.resolveKeySpace(int64(live))
	r := &run{stop: make(chan struct{}), done: make(chan struct{}, w.opts.Workers),
		limiter: newLimiter(w.opts.Rate), keySpace: w.keySpace, startedAt: time.Now()}
	r.ctx, r.cancel = context.WithCancel(ctx)
	w.runs++
	for i := range w.opts.Workers {
		wk := &worker{w: w, run: r, num: i, part: w.model.parts[i], rec: &recorder{},
			g: w.newGen(w.runs<<16 | uint64(i))}
		r.workers = append(r.workers, wk)
		w.recs = append(w.recs, wk.rec)
	}
	w.cur = r
	for _, wk := range r.workers {
		go wk.loop()
	}
}

// Stop asks the workers to finish their current transaction, waits for all
// of them (cancelling in-flight statements after Options.StopGrace) and
// returns the run's statistics. Stop without a running workload returns
// zero Stats.
func (w *Workload) Stop() Stats {
	w.mu.Lock()
	defer w.mu.Unlock()
	r := w.cur
	if r == nil {
		return Stats{}
	}
	close(r.stop)
	grace := time.NewTimer(w.opts.StopGrace)
	defer grace.Stop()
	for exited := 0; exited < len(r.workers); {
		select {
		case <-r.done:
			exited++
		case <-grace.C:
			r.forced.Store(true)
			r.cancel()
		}
	}
	r.cancel()
	w.cur = nil
	return w.collect(r)
}

// newGen returns a worker's generator with the engine's big value sizes.
func (w *Workload) newGen(stream uint64) *gen {
	g := newGen(w.opts.Seed, stream, w.opts.BigValueRatio)
	g.bigMin, g.bigSpan = w.d.bigValue()
	return g
}

func (w *Workload) collect(r *run) Stats {
	var s Stats
	for _, wk := range r.workers {
		s.add(wk.stats)
		s.MaxLatency = max(s.MaxLatency, wk.rec.maxLatency())
	}
	s.Errors, s.ErrorCount = r.errs.snapshot()
	_, s.UncertainKeys = w.model.counts()
	return s
}

func (w *Workload) recorders() []*recorder {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]*recorder(nil), w.recs...)
}

// running reports whether workers are active; Load and Check refuse then.
func (w *Workload) running() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.cur != nil
}

// KeySpace returns the resolved key space (0 before Load or Start).
func (w *Workload) KeySpace() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.keySpace
}
