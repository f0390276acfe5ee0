// Package checksum compares a table with its shadow chunk by chunk, inside
// snapshots that all see the same moment, on several connections at once.
//
// Most of that work can be done early (early.go): a range is compared as
// soon as it is copied, and the consistent point then compares only what the
// early pass could not vouch for (Rest).
package checksum

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/errgroup"
)

// Snapshot is one connection's consistent view of source and shadow.
type Snapshot interface {
	// NextBoundary is the key size rows after `after`; ok=false past the end.
	NextBoundary(ctx context.Context, after []any, size int) (key []any, ok bool, err error)
	// Diff lists up to limit keys in lo < key <= hi whose rows differ.
	Diff(ctx context.Context, lo, hi []any, limit int) ([][]any, error)
	// DiffKeys lists up to limit of keys whose rows differ (missing from
	// either table, or with a compared value that differs).
	DiffKeys(ctx context.Context, keys [][]any, limit int) ([][]any, error)
}

// Result is what a comparison found.
type Result struct {
	Chunks int     // key ranges compared
	Keys   int     // single keys compared
	Diffs  [][]any // differing keys, at most the limit given to Compare
}

// keysPerBatch is the keys one DiffKeys compares: a few hundred index
// lookups per statement, far below any placeholder limit.
const keysPerBatch = 500

// job is one unit of work: a range lo < key <= hi, or a batch of keys.
type job struct {
	lo, hi []any
	keys   [][]any
}

// Compare cuts the key space on the first snapshot, then checks the chunks
// with one worker per snapshot.
func Compare(ctx context.Context, snaps []Snapshot, chunkSize, limit int) (Result, error) {
	return CompareRest(ctx, snaps, Rest{}, chunkSize, limit, nil)
}

// CompareRest compares what rest leaves to the consistent point: its holes,
// the key space after what was verified early (cut on the first snapshot),
// and its keys one by one. tally (nil: none) counts the chunks and batches
// of keys as they are compared, for the run's status.
func CompareRest(ctx context.Context, snaps []Snapshot, rest Rest, chunkSize, limit int, tally *atomic.Int64) (Result, error) {
	jobs := rest.holeJobs()
	if !rest.All {
		tail, err := cut(ctx, snaps[0], rest.Upto, chunkSize)
		if err != nil {
			return Result{}, err
		}
		jobs = append(jobs, tail...)
	}
	res := Result{Chunks: len(jobs)}
	if rest.verifiedAny() {
		keyJobs := batches(rest.Keys)
		jobs = append(jobs, keyJobs...)
		res.Keys = len(rest.Keys)
	}
	diffs, err := run(ctx, snaps, jobs, limit, tally)
	res.Diffs = diffs
	return res, err
}

// run does the jobs with one worker per snapshot, collecting up to limit
// differing keys.
func run(ctx context.Context, snaps []Snapshot, jobs []job, limit int, tally *atomic.Int64) ([][]any, error) {
	work := make(chan job, len(jobs))
	for _, j := range jobs {
		work <- j
	}
	close(work)
	var mu sync.Mutex
	var found [][]any
	g, ctx := errgroup.WithContext(ctx)
	for _, s := range snaps {
		g.Go(func() error {
			for j := range work {
				diffs, err := j.diff(ctx, s, limit)
				if err != nil {
					return err
				}
				if tally != nil {
					tally.Add(1)
				}
				mu.Lock()
				found = append(found, diffs[:min(len(diffs), limit-len(found))]...)
				full := len(found) >= limit
				mu.Unlock()
				if full {
					return nil
				}
			}
			return nil
		})
	}
	err := g.Wait()
	return found, err
}

func (j job) diff(ctx context.Context, s Snapshot, limit int) ([][]any, error) {
	if j.keys != nil {
		d, err := s.DiffKeys(ctx, j.keys, limit)
		if err != nil {
			return nil, fmt.Errorf("checksum %d keys: %w", len(j.keys), err)
		}
		return d, nil
	}
	d, err := s.Diff(ctx, j.lo, j.hi, limit)
	if err != nil {
		return nil, fmt.Errorf("checksum chunk (%v..%v]: %w", j.lo, j.hi, err)
	}
	return d, nil
}

func batches(keys [][]any) []job {
	var out []job
	for len(keys) > 0 {
		n := min(len(keys), keysPerBatch)
		out = append(out, job{keys: keys[:n:n]})
		keys = keys[n:]
	}
	return out
}

// cut cuts the key space after from (nil: all of it) into chunks of size rows.
func cut(ctx context.Context, s Snapshot, from []any, size int) ([]job, error) {
	var out []job
	lo := from
	for {
		hi, ok, err := s.NextBoundary(ctx, lo, size)
		if err != nil {
			return nil, fmt.Errorf("checksum: cut chunk %d: %w", len(out), err)
		}
		if !ok {
			return append(out, job{lo: lo}), nil
		}
		out = append(out, job{lo: lo, hi: hi})
		lo = hi
	}
}
