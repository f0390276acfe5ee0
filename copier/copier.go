// Package copier copies a table into its shadow in chunks by key range,
// several chunks at a time, each chunk one short statement.
//
// Unless the size is fixed, the rows per chunk follow the table: after each
// chunk the size moves toward the rows one worker copies in ChunkTime, so a
// chunk's locks and its share of replica lag stay about the same whatever the
// row width, the indexes or the load.
package copier

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
)

// ChunkPlaceholder stands, in a backfill's --sql-file statement, for one
// chunk's key range predicate ("lo < key <= hi", values bound): each engine
// fills it in its own SQL.
const ChunkPlaceholder = "{{chunk}}"

// Source is the engine's chunk SQL.
type Source interface {
	// NextBoundary is the key size rows after `after` (nil: the first row's
	// predecessor); ok=false when fewer rows remain.
	NextBoundary(ctx context.Context, after []any, size int) (key []any, ok bool, err error)
	// CopyRange copies rows with lo < key <= hi (nil bounds are open) and
	// returns the keys it could not insert because another unique key clashed.
	CopyRange(ctx context.Context, lo, hi []any) (copied int64, missing [][]any, err error)
}

// Options tune the copy.
type Options struct {
	// ChunkSize is the rows per chunk to start with (default 1000). Unless
	// FixedChunkSize, it is brought into MinChunkSize..MaxChunkSize and then
	// adjusted after every chunk so that a chunk takes about ChunkTime.
	ChunkSize int
	// FixedChunkSize keeps ChunkSize for the whole copy (an explicit
	// --chunk-size): no adjustment and no bounds.
	FixedChunkSize bool
	// ChunkTime is how long one chunk should take on one worker (default
	// 500ms; 0 means the default).
	ChunkTime time.Duration
	// MinChunkSize and MaxChunkSize bound the adjusted size (defaults 100
	// and 100_000): the floor keeps per-statement overhead small, the
	// ceiling caps what one chunk can lock should the rate be misjudged.
	MinChunkSize int
	MaxChunkSize int
	Threads      int
	// Missing receives keys a chunk could not insert (to be resynced).
	Missing func(ctx context.Context, keys [][]any) error
	// Wait blocks until writing is allowed (the throttler); nil never waits.
	Wait func(ctx context.Context) error
	// After runs after each chunk with its duration (e.g. the nice ratio's sleep).
	After func(ctx context.Context, took time.Duration)
	// Start resumes a copy: only keys after it are copied (nil: from the
	// first row). It is a Watermark of an earlier run.
	Start []any
	// Copied, when set, hears of every copied range lo < key <= hi (hi nil:
	// to the end) in key order, once every chunk up to it is copied, with
	// the rows it was cut with. It must not block: it runs under the
	// watermark's lock.
	Copied func(lo, hi []any, rows int)
}

// Defaults of Options.
const (
	DefaultChunkSize    = 1000
	DefaultChunkTime    = 500 * time.Millisecond
	DefaultMinChunkSize = 100
	DefaultMaxChunkSize = 100_000
)

// rateWeight is the share of the newest chunk in the smoothed rate: one slow
// chunk (a lock wait, cold pages) moves the size only a little, while a real
// change of pace is followed within a few chunks.
const rateWeight = 0.3

// Copier runs one table copy.
type Copier struct {
	src  Source
	opts Options
	// chunkSize is read without a lock by the cutter and the status; it is
	// written only under mu, so an adjustment cannot undo a SetChunkSize.
	chunkSize atomic.Int64
	mu        sync.Mutex
	fixed     bool    // under mu: the size no longer changes by itself
	rate      float64 // under mu: smoothed rows per second of one worker; 0 before the first chunk
	copied    atomic.Int64
	covered   atomic.Int64
	chunks    atomic.Int64
	lastTook  atomic.Int64 // ns the last chunk took
	busy      atomic.Int64 // chunk attempts that found rows locked and were retried
	done      atomic.Bool
	marks     watermark
}

// New prepares a copy.
func New(src Source, opts Options) *Copier {
	if opts.ChunkSize <= 0 {
		opts.ChunkSize = DefaultChunkSize
	}
	if opts.Threads <= 0 {
		opts.Threads = 1
	}
	if opts.ChunkTime <= 0 {
		opts.ChunkTime = DefaultChunkTime
	}
	opts.MinChunkSize, opts.MaxChunkSize = sizeBounds(opts.MinChunkSize, opts.MaxChunkSize)
	if !opts.FixedChunkSize {
		opts.ChunkSize = clamp(opts.ChunkSize, opts.MinChunkSize, opts.MaxChunkSize)
	}
	c := &Copier{src: src, opts: opts, fixed: opts.FixedChunkSize, marks: newWatermark(opts.Start, opts.Copied)}
	c.chunkSize.Store(int64(opts.ChunkSize))
	return c
}

// sizeBounds fills in the default bounds. Should they cross, the one given
// wins over the defaulted one (a lone MaxChunkSize of 50 means 50).
func sizeBounds(lo, hi int) (int, int) {
	loSet, hiSet := lo > 0, hi > 0
	if !loSet {
		lo = DefaultMinChunkSize
	}
	if !hiSet {
		hi = DefaultMaxChunkSize
	}
	if lo > hi {
		if hiSet && !loSet {
			return hi, hi
		}
		return lo, lo
	}
	return lo, hi
}

func clamp(n, lo, hi int) int { return min(max(n, lo), hi) }

// SetChunkSize sets the rows per chunk for chunks not cut yet, and fixes the
// size from then on: a DBA's setting (the control socket's chunk-size=N)
// wins over the automatic adjustment, and is kept as given even outside
// MinChunkSize..MaxChunkSize.
func (c *Copier) SetChunkSize(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fixed = true
	c.chunkSize.Store(int64(n))
}

// ChunkSize is the rows per chunk the next cut uses, as adjusted or set (for status).
func (c *Copier) ChunkSize() int { return int(c.chunkSize.Load()) }

// Copied is the number of rows inserted so far.
func (c *Copier) Copied() int64 { return c.copied.Load() }

// Covered is the rows the finished chunks spanned (read, whether or not
// they were written): the progress of a backfill, whose chunks change only
// some of their rows.
func (c *Copier) Covered() int64 { return c.covered.Load() }

// LastChunkTime is how long the last chunk took (for status); Busy is how
// many chunk attempts found rows locked and were retried: what slows a copy
// on a hot table.
func (c *Copier) LastChunkTime() time.Duration { return time.Duration(c.lastTook.Load()) }
func (c *Copier) Busy() int64                  { return c.busy.Load() }

// Done says whether every chunk is copied.
func (c *Copier) Done() bool { return c.done.Load() }

type chunk struct {
	seq    int64
	lo, hi []any
	size   int // the rows asked of NextBoundary
}

// Run copies every chunk; chunks are cut by one goroutine and copied by
// Threads workers.
func (c *Copier) Run(ctx context.Context) error {
	g, ctx := errgroup.WithContext(ctx)
	work := make(chan chunk, c.opts.Threads)
	g.Go(func() error {
		defer close(work)
		return c.cut(ctx, work)
	})
	for i := 0; i < c.opts.Threads; i++ {
		g.Go(func() error {
			for ch := range work {
				if err := c.copyChunk(ctx, ch); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	c.done.Store(true)
	return nil
}

func (c *Copier) cut(ctx context.Context, work chan<- chunk) error {
	lo := c.opts.Start
	for seq := int64(0); ; seq++ {
		size := c.ChunkSize()
		hi, ok, err := c.src.NextBoundary(ctx, lo, size)
		if err != nil {
			return fmt.Errorf("cut chunk %d: %w", seq, err)
		}
		if !ok {
			hi = nil // the last chunk is open-ended
		}
		c.marks.cut(seq, hi, size)
		select {
		case work <- chunk{seq: seq, lo: lo, hi: hi, size: size}:
		case <-ctx.Done():
			return ctx.Err()
		}
		if !ok {
			return nil
		}
		lo = hi
	}
}

// Busy is implemented by errors meaning "rows locked, try again shortly".
type Busy interface{ Busy() bool }

func (c *Copier) copyChunk(ctx context.Context, ch chunk) error {
	for attempt := 1; ; attempt++ {
		if c.opts.Wait != nil {
			if err := c.opts.Wait(ctx); err != nil {
				return err
			}
		}
		t0 := time.Now()
		n, missing, err := c.src.CopyRange(ctx, ch.lo, ch.hi)
		var busy Busy
		if errors.As(err, &busy) && busy.Busy() && attempt < 1000 {
			c.busy.Add(1)
			sleep(ctx, time.Duration(min(attempt, 20))*10*time.Millisecond)
			continue
		}
		if err != nil && ctx.Err() != nil {
			return ctx.Err() // the stop's doing: a driver may report a cancelled statement as a bad connection
		}
		if err != nil {
			return fmt.Errorf("copy chunk %d (%v..%v]: %w", ch.seq, ch.lo, ch.hi, err)
		}
		took := time.Since(t0)
		c.copied.Add(n)
		c.chunks.Add(1)
		c.lastTook.Store(int64(took))
		c.covered.Add(rowsIn(ch, n, missing))
		c.adjust(rowsIn(ch, n, missing), took)
		if c.opts.After != nil {
			c.opts.After(ctx, took)
		}
		if len(missing) > 0 && c.opts.Missing != nil {
			if err := c.opts.Missing(ctx, missing); err != nil {
				return err
			}
		}
		c.marks.done(ch.seq) // only once its missing keys are with the applier
		return nil
	}
}

// rowsIn is the rows a copied chunk read, which is what its time is spent on.
// A bounded chunk holds the size it was cut with (NextBoundary counted them);
// copied would undercount it, as rows the applier wrote first are skipped yet
// still read. The open-ended last chunk holds fewer rows than its size, known
// only from what the copy reports.
func rowsIn(ch chunk, copied int64, missing [][]any) int64 {
	if ch.hi != nil {
		return int64(ch.size)
	}
	return copied + int64(len(missing))
}

// adjust moves the chunk size after a chunk of rows that took took. The rate
// is that chunk's own, so with several workers it is per worker and the
// target holds for each chunk; per-statement overhead is inside took, so the
// size settles where a chunk takes ChunkTime, overhead included.
func (c *Copier) adjust(rows int64, took time.Duration) {
	if rows <= 0 || took <= 0 {
		return // an empty (or unmeasurably quick) chunk says nothing of the rate
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fixed {
		return
	}
	c.rate = smooth(c.rate, float64(rows)/took.Seconds())
	c.chunkSize.Store(int64(c.nextSize(int(c.chunkSize.Load()))))
}

// smooth is the exponentially weighted rate; the first sample stands alone.
func smooth(prev, sample float64) float64 {
	if prev == 0 {
		return sample
	}
	return prev + rateWeight*(sample-prev)
}

// nextSize is the rows the smoothed rate fills ChunkTime with, moved at most
// ×2 or ÷2 from cur so one odd chunk cannot swing the size far, and kept in
// bounds. Bounding by cur first also keeps the float far from overflowing int.
func (c *Copier) nextSize(cur int) int {
	want := c.rate * c.opts.ChunkTime.Seconds()
	want = min(max(want, float64(cur)/2), float64(cur)*2)
	return clamp(int(math.Round(want)), c.opts.MinChunkSize, c.opts.MaxChunkSize)
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
