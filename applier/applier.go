package applier

import (
	"context"
	"sync"
	"time"
)

// ResyncFunc makes the shadow rows of keys equal to the source rows.
type ResyncFunc func(ctx context.Context, keys [][]any) error

// Conflicting is implemented by a resync error that found stale shadow rows
// holding values the batch needs; no keys means a real duplicate.
type Conflicting interface{ ConflictingKeys() [][]any }

// Busy is implemented by errors that mean "rows locked, try again shortly".
type Busy interface{ Busy() bool }

// Options size the applier. Zero values take the defaults.
type Options struct {
	// Workers is the number of batches flushed at once (default 1). Keys are
	// split among them by hash, so a key's resyncs never overlap.
	Workers int
	// BatchSize fixes the keys per resync; 0 sizes batches so that one
	// takes about BatchTime (default 200ms), within MinBatch..MaxBatch
	// (default 10..5000).
	BatchSize          int
	BatchTime          time.Duration
	MinBatch, MaxBatch int
	// MaxKeys is the number of pending keys at which Add blocks the stream
	// reader (default 1_000_000), except while paused.
	MaxKeys  int
	Interval time.Duration // a worker's sleep when it has nothing to flush
	// Ready, when set, is called before each online resync of a batch, outside
	// the gate and untimed: it returns once the batch may be resynced (the
	// engine's changes visible, the copy chunks that read the rows before
	// them ended). An error whose Busy() is true is retried like a resync's.
	Ready ResyncFunc
	// Wait blocks until writing is allowed (the throttler); nil never waits.
	// The stream keeps reading meanwhile: keys accumulate, deduplicated.
	Wait func(ctx context.Context) error
}

// Applier holds the dirty keys and flushes them.
type Applier struct {
	opts   Options
	online ResyncFunc
	now    func() time.Time // times resyncs for batch sizing; tests give a fake clock
	// gate orders resync calls: read-held by a worker resyncing keys of its
	// own partition, write-held by a resync holding keys of other
	// partitions (see flush.go).
	gate sync.RWMutex

	mu       sync.Mutex
	wake     *sync.Cond // any change to paused, active, draining or the sets
	parts    []*keySet  // pending keys, one set per worker
	paused   bool
	held     bool // Hold: no flushes, MaxKeys kept
	running  bool // Run is active
	active   int  // worker flushes in progress
	draining int  // Drain calls in progress
	size     int  // current batch size
	applied  int64
	epoch    uint64           // advanced by Mark; keys added now are pending since it
	flying   map[int64]uint64 // flushes in progress: oldest epoch of their keys
	nextFly  int64
	rec      *touched // keys added since Record (touched.go); nil when not recording
}

// New returns an applier that resyncs with online (its own transactions).
func New(online ResyncFunc, opts Options) *Applier {
	opts = withDefaults(opts)
	a := &Applier{opts: opts, online: online, size: opts.BatchSize, epoch: 1, flying: map[int64]uint64{}, now: time.Now}
	if a.size == 0 {
		a.size = min(max(100, opts.MinBatch), opts.MaxBatch)
	}
	for range opts.Workers {
		a.parts = append(a.parts, newKeySet())
	}
	a.wake = sync.NewCond(&a.mu)
	return a
}

func withDefaults(o Options) Options {
	o.Workers = max(o.Workers, 1)
	o.BatchSize = max(o.BatchSize, 0)
	if o.BatchTime <= 0 {
		o.BatchTime = 200 * time.Millisecond
	}
	if o.MinBatch <= 0 {
		o.MinBatch = 10
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = 5000
	}
	o.MaxBatch = max(o.MaxBatch, o.MinBatch)
	if o.MaxKeys <= 0 {
		o.MaxKeys = 1_000_000
	}
	if o.Interval <= 0 {
		o.Interval = 20 * time.Millisecond
	}
	return o
}

// Add records changed keys. While MaxKeys keys are pending it first waits
// for the workers to take some, which slows the stream reader instead of
// growing memory (one Add may overshoot by its own keys). It never waits
// while paused: the pause holder may be waiting for the stream to reach a
// position. If ctx ends while it waits, the keys are not recorded.
func (a *Applier) Add(ctx context.Context, keys [][]any) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.roomLocked(ctx); err != nil {
		return err
	}
	for _, k := range keys {
		a.addLocked(k, a.epoch)
		a.rec.add(k)
	}
	return nil
}

func (a *Applier) roomLocked(ctx context.Context) error {
	if a.paused || a.pendingLocked() < a.opts.MaxKeys {
		return nil
	}
	stop := context.AfterFunc(ctx, a.broadcast)
	defer stop()
	for !a.paused && a.pendingLocked() >= a.opts.MaxKeys {
		if err := ctx.Err(); err != nil {
			return err
		}
		a.wake.Wait()
	}
	return nil
}

// broadcast wakes every waiter to look at its condition (and its ctx) again.
func (a *Applier) broadcast() {
	a.mu.Lock()
	a.wake.Broadcast()
	a.mu.Unlock()
}

// Backlog is the number of keys waiting to be resynced.
func (a *Applier) Backlog() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.pendingLocked()
}

// Applied is the number of key resyncs done so far.
func (a *Applier) Applied() int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.applied
}
