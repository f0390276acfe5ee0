package checksum

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
)

// Early compares ranges of the table while the copy goes on, each as soon as
// every row in it is copied (the copier's Copied), in a snapshot of its own:
// so at the consistent point only what changed since is compared again
// (Rest). A range with more than Limit differing rows (rows the applier has
// not yet caught up on, typically) is left whole to the point.
type Early struct {
	// Open starts a snapshot in which source and shadow are read at one
	// moment; done ends it.
	Open func(ctx context.Context) (s Snapshot, done func(), err error)
	// Wait blocks while the throttler says no (nil: never).
	Wait func(ctx context.Context) error
	// Size is the rows one compare takes at least (ranges are merged up
	// to it); Limit the differing keys a range may have and still count.
	Size, Limit int
	// Tally (nil: none) counts the ranges compared, for the run's status.
	Tally *atomic.Int64

	mu      sync.Mutex
	queue   []pending
	off     bool // the first range did not start at the first key (a resumed copy)
	started bool
	rest    Rest
	wake    chan struct{}
	once    sync.Once
}

type pending struct {
	lo, hi []any
	rows   int
}

func (e *Early) init() { e.once.Do(func() { e.wake = make(chan struct{}, 1) }) }

// Copied queues a copied range; ranges come in key order, each starting
// where the one before ended. It never blocks.
func (e *Early) Copied(lo, hi []any, rows int) {
	e.init()
	e.mu.Lock()
	if !e.started && lo != nil {
		e.off = true // keys before lo were copied by an earlier run: compare all at the point
	}
	e.started = true
	if !e.off {
		e.queue = append(e.queue, pending{lo, hi, rows})
	}
	e.mu.Unlock()
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// Rest is what is left to the consistent point so far.
func (e *Early) Rest() Rest {
	e.mu.Lock()
	defer e.mu.Unlock()
	r := e.rest
	r.Holes = append([]Range(nil), r.Holes...)
	r.Keys = append([][]any(nil), r.Keys...)
	return r
}

// Run compares queued ranges until ctx ends or the last range is compared.
// An error stops the early pass only; whatever it did not compare is left
// to the point.
func (e *Early) Run(ctx context.Context) error {
	e.init()
	for {
		r, ok := e.next()
		if !ok {
			select {
			case <-ctx.Done():
				return nil
			case <-e.wake:
				continue
			}
		}
		if e.Wait != nil {
			if err := e.Wait(ctx); err != nil {
				return nil
			}
		}
		if err := e.compare(ctx, r); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		if r.hi == nil {
			return nil
		}
	}
}

// next merges queued ranges into one of at least Size rows, or the last
// one; ok is false while fewer rows are queued.
func (e *Early) next() (pending, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.queue) == 0 {
		return pending{}, false
	}
	m := pending{lo: e.queue[0].lo}
	for i, q := range e.queue {
		m.hi, m.rows = q.hi, m.rows+q.rows
		if m.rows >= e.Size || q.hi == nil {
			e.queue = e.queue[i+1:]
			return m, true
		}
	}
	return pending{}, false
}

func (e *Early) compare(ctx context.Context, r pending) error {
	s, done, err := e.Open(ctx)
	if err != nil {
		return fmt.Errorf("early checksum: open a snapshot: %w", err)
	}
	diffs, err := s.Diff(ctx, r.lo, r.hi, e.Limit+1)
	done()
	if err != nil {
		return fmt.Errorf("early checksum (%v..%v]: %w", r.lo, r.hi, err)
	}
	if e.Tally != nil {
		e.Tally.Add(1)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(diffs) > e.Limit {
		e.rest.Holes = append(e.rest.Holes, Range{r.lo, r.hi})
	} else {
		e.rest.Keys = append(e.rest.Keys, diffs...)
		e.rest.Rows += int64(r.rows)
	}
	e.rest.Upto, e.rest.All = r.hi, r.hi == nil
	return nil
}
