package applier

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hotswap/hotswap/binlog"
)

// ResyncFunc makes the shadow rows of keys equal to the source rows.
type ResyncFunc func(ctx context.Context, keys [][]any) error

// Conflicting is implemented by a resync error that found stale shadow rows
// holding values the batch needs; no keys means a real duplicate.
type Conflicting interface{ ConflictingKeys() [][]any }

// Busy is implemented by errors that mean "rows locked, try again shortly".
type Busy interface{ Busy() bool }

// Options size the applier.
type Options struct {
	BatchSize int           // keys per resync statement
	MaxKeys   int           // pending keys before Add blocks the stream reader
	Interval  time.Duration // pause between flushes when the set is small
	// Wait blocks until writing is allowed (the throttler); nil never waits.
	// The stream keeps reading meanwhile: keys accumulate, deduplicated.
	Wait func(ctx context.Context) error
}

// Applier holds the dirty keys and flushes them.
type Applier struct {
	opts   Options
	online ResyncFunc

	mu       sync.Mutex
	keys     *keySet
	paused   bool
	flushing bool
	wake     *sync.Cond
	applied  int64
}

// New returns an applier that resyncs with online (its own transactions).
func New(online ResyncFunc, opts Options) *Applier {
	if opts.BatchSize <= 0 {
		opts.BatchSize = 500
	}
	if opts.MaxKeys <= 0 {
		opts.MaxKeys = 1 << 20
	}
	if opts.Interval <= 0 {
		opts.Interval = 20 * time.Millisecond
	}
	a := &Applier{opts: opts, online: online, keys: newKeySet()}
	a.wake = sync.NewCond(&a.mu)
	return a
}

var _ binlog.Sink = (*Applier)(nil)

// Add records changed keys. It blocks while the set is full and the applier
// is flushing, which slows the stream reader instead of growing memory.
func (a *Applier) Add(ctx context.Context, keys [][]any) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	for a.keys.len() >= a.opts.MaxKeys && !a.paused && ctx.Err() == nil {
		a.wake.Wait()
	}
	for _, k := range keys {
		a.keys.add(k)
	}
	return nil
}

// Backlog is the number of keys waiting to be resynced.
func (a *Applier) Backlog() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.keys.len()
}

// Applied is the number of key resyncs done so far.
func (a *Applier) Applied() int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.applied
}

// Run flushes until ctx ends; a flush error ends it.
func (a *Applier) Run(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() { a.mu.Lock(); a.wake.Broadcast(); a.mu.Unlock() })
	defer stop()
	for ctx.Err() == nil {
		if a.opts.Wait != nil {
			if err := a.opts.Wait(ctx); err != nil {
				return nil // ctx ended while throttled
			}
		}
		batch := a.begin()
		if batch == nil {
			sleep(ctx, a.opts.Interval)
			continue
		}
		err := a.flush(ctx, a.online, batch)
		a.end()
		if err != nil && ctx.Err() == nil {
			return err
		}
	}
	return nil
}

// begin takes a batch unless paused or empty, and marks a flush in progress.
func (a *Applier) begin() [][]any {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.paused || a.keys.len() == 0 {
		return nil
	}
	a.flushing = true
	return a.keys.take(a.opts.BatchSize)
}

func (a *Applier) end() {
	a.mu.Lock()
	a.flushing = false
	a.wake.Broadcast()
	a.mu.Unlock()
}

// flush resyncs a batch, growing it with stale rows a duplicate reveals and
// putting it back when rows are busy.
func (a *Applier) flush(ctx context.Context, resync ResyncFunc, batch [][]any) error {
	busySince := time.Time{}
	for attempt := 0; ; attempt++ {
		err := resync(ctx, batch)
		if err == nil {
			a.mu.Lock()
			a.applied += int64(len(batch))
			a.mu.Unlock()
			return nil
		}
		// Rows locked by the application (or waiting behind a copy chunk):
		// retry for as long as a long transaction may reasonably last.
		var busy Busy
		if errors.As(err, &busy) && busy.Busy() {
			if busySince.IsZero() {
				busySince = time.Now()
			}
			if time.Since(busySince) < 5*time.Minute {
				sleep(ctx, time.Duration(min(attempt+1, 40))*5*time.Millisecond)
				continue
			}
		}
		var c Conflicting
		if errors.As(err, &c) && len(c.ConflictingKeys()) > 0 && attempt < 20 {
			batch = merge(batch, c.ConflictingKeys())
			continue
		}
		if ctx.Err() == nil {
			a.putBack(batch)
		}
		return fmt.Errorf("apply changes to %d keys: %w", len(batch), err)
	}
}

func (a *Applier) putBack(batch [][]any) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, k := range batch {
		a.keys.add(k)
	}
}

func merge(batch, more [][]any) [][]any {
	s := newKeySet()
	for _, k := range batch {
		s.add(k)
	}
	for _, k := range more {
		s.add(k)
	}
	return s.take(s.len())
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
