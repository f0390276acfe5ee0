// Package checksum compares a table with its shadow chunk by chunk, inside
// snapshots that all see the same moment, on several connections at once.
package checksum

import (
	"context"
	"fmt"
	"sync"

	"golang.org/x/sync/errgroup"
)

// Snapshot is one connection's consistent view of source and shadow.
type Snapshot interface {
	// NextBoundary is the key size rows after `after`; ok=false past the end.
	NextBoundary(ctx context.Context, after []any, size int) (key []any, ok bool, err error)
	// Diff lists up to limit keys in lo < key <= hi whose rows differ.
	Diff(ctx context.Context, lo, hi []any, limit int) ([][]any, error)
}

// Result is what a comparison found.
type Result struct {
	Chunks int
	Diffs  [][]any // differing keys, at most the limit given to Compare
}

type chunk struct{ lo, hi []any }

// Compare cuts the key space on the first snapshot, then checks the chunks
// with one worker per snapshot.
func Compare(ctx context.Context, snaps []Snapshot, chunkSize, limit int) (Result, error) {
	chunks, err := cut(ctx, snaps[0], chunkSize)
	if err != nil {
		return Result{}, err
	}
	work := make(chan chunk, len(chunks))
	for _, c := range chunks {
		work <- c
	}
	close(work)
	var mu sync.Mutex
	res := Result{Chunks: len(chunks)}
	g, ctx := errgroup.WithContext(ctx)
	for _, s := range snaps {
		g.Go(func() error {
			for c := range work {
				diffs, err := s.Diff(ctx, c.lo, c.hi, limit)
				if err != nil {
					return fmt.Errorf("checksum chunk (%v..%v]: %w", c.lo, c.hi, err)
				}
				mu.Lock()
				res.Diffs = append(res.Diffs, diffs[:min(len(diffs), limit-len(res.Diffs))]...)
				full := len(res.Diffs) >= limit
				mu.Unlock()
				if full {
					return nil
				}
			}
			return nil
		})
	}
	return res, g.Wait()
}

func cut(ctx context.Context, s Snapshot, size int) ([]chunk, error) {
	var out []chunk
	var lo []any
	for {
		hi, ok, err := s.NextBoundary(ctx, lo, size)
		if err != nil {
			return nil, fmt.Errorf("checksum: cut chunk %d: %w", len(out), err)
		}
		if !ok {
			return append(out, chunk{lo: lo}), nil
		}
		out = append(out, chunk{lo: lo, hi: hi})
		lo = hi
	}
}
