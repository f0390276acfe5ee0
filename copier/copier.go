// Package copier copies a table into its shadow in chunks by key range,
// several chunks at a time, each chunk one short statement.
package copier

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
)

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
	ChunkSize int
	Threads   int
	// Missing receives keys a chunk could not insert (to be resynced).
	Missing func(ctx context.Context, keys [][]any) error
	// Wait blocks until writing is allowed (the throttler); nil never waits.
	Wait func(ctx context.Context) error
	// After runs after each chunk with its duration (e.g. the nice ratio's sleep).
	After func(ctx context.Context, took time.Duration)
}

// Copier runs one table copy.
type Copier struct {
	src       Source
	opts      Options
	chunkSize atomic.Int64 // changeable while running
	copied    atomic.Int64
	chunks    atomic.Int64
	done      atomic.Bool
}

// New prepares a copy.
func New(src Source, opts Options) *Copier {
	if opts.ChunkSize <= 0 {
		opts.ChunkSize = 1000
	}
	if opts.Threads <= 0 {
		opts.Threads = 1
	}
	c := &Copier{src: src, opts: opts}
	c.chunkSize.Store(int64(opts.ChunkSize))
	return c
}

// SetChunkSize changes the rows per chunk for chunks not cut yet.
func (c *Copier) SetChunkSize(n int) { c.chunkSize.Store(int64(n)) }

// ChunkSize is the current rows per chunk.
func (c *Copier) ChunkSize() int { return int(c.chunkSize.Load()) }

// Copied is the number of rows inserted so far.
func (c *Copier) Copied() int64 { return c.copied.Load() }

// Done says whether every chunk is copied.
func (c *Copier) Done() bool { return c.done.Load() }

type chunk struct {
	seq    int64
	lo, hi []any
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
	var lo []any
	for seq := int64(0); ; seq++ {
		hi, ok, err := c.src.NextBoundary(ctx, lo, c.ChunkSize())
		if err != nil {
			return fmt.Errorf("cut chunk %d: %w", seq, err)
		}
		if !ok {
			hi = nil // the last chunk is open-ended
		}
		select {
		case work <- chunk{seq: seq, lo: lo, hi: hi}:
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
			sleep(ctx, time.Duration(min(attempt, 20))*10*time.Millisecond)
			continue
		}
		if err != nil {
			return fmt.Errorf("copy chunk %d (%v..%v]: %w", ch.seq, ch.lo, ch.hi, err)
		}
		c.copied.Add(n)
		c.chunks.Add(1)
		if c.opts.After != nil {
			c.opts.After(ctx, time.Since(t0))
		}
		if len(missing) > 0 && c.opts.Missing != nil {
			return c.opts.Missing(ctx, missing)
		}
		return nil
	}
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
