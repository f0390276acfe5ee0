package applier

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// The concurrency rule. A resync is shared or exclusive:
//   - shared: a worker's batch while it holds only keys of its own
//     partition. No other shared resync can hold those keys (only that
//     worker takes from that partition), so shared resyncs run in parallel.
//   - exclusive: a batch that holds keys of other partitions, i.e. one a
//     duplicate grew with conflicting keys hashing elsewhere, and every
//     Drain batch. It waits until no other resync runs, and none starts
//     until it ends (a.gate write-held), so it overlaps nothing.
// The gate is held only around the resync call itself, never while waiting
// for anything else (busy back-off, a batch, the throttler), so there is no
// lock cycle. Keys of other partitions are not taken out of their sets:
// their own worker resyncs them again later, which is harmless.

// flush resyncs a batch (after ready, when set), growing it with stale rows a duplicate reveals and
// retrying while rows are busy; on failure the keys go back to the set.
// owner is the worker's partition, or -1 for Drain; since is the batch's
// oldest epoch, which its keys keep if they go back.
func (a *Applier) flush(ctx context.Context, resync, ready ResyncFunc, batch [][]any, owner int, since uint64) error {
	exclusive := owner < 0
	var busySince time.Time
	merges := 0
	for attempt := 0; ; attempt++ {
		var took time.Duration
		err := callReady(ctx, ready, batch)
		if err == nil {
			took, err = a.call(ctx, resync, batch, exclusive)
		}
		if err == nil {
			a.done(len(batch), took)
			return nil
		}
		if retryBusy(ctx, err, &busySince) {
			sleep(ctx, time.Duration(min(attempt+1, 40))*5*time.Millisecond)
			continue
		}
		var c Conflicting
		if errors.As(err, &c) && len(c.ConflictingKeys()) > 0 && merges < 20 {
			merges++
			batch = merge(batch, c.ConflictingKeys())
			exclusive = exclusive || a.foreign(c.ConflictingKeys(), owner)
			continue
		}
		// Always put back, even when ctx ended: a Drain cut short by the
		// cut-over budget must leave its keys for the next attempt, and a
		// resync is idempotent whatever part of it committed.
		a.putBack(batch, since)
		return fmt.Errorf("apply changes to %d keys: %w", len(batch), err)
	}
}

// callReady waits until batch may be resynced, when the resync has such a
// step (Options.Ready).
func callReady(ctx context.Context, ready ResyncFunc, batch [][]any) error {
	if ready == nil {
		return nil
	}
	return ready(ctx, batch)
}

// call runs one resync under the gate and times it (not the gate wait).
func (a *Applier) call(ctx context.Context, resync ResyncFunc, batch [][]any, exclusive bool) (time.Duration, error) {
	if exclusive {
		a.gate.Lock()
		defer a.gate.Unlock()
	} else {
		a.gate.RLock()
		defer a.gate.RUnlock()
	}
	t0 := a.now()
	err := resync(ctx, batch)
	return a.now().Sub(t0), err
}

// retryBusy says whether err means rows locked by the application (or
// waiting behind a copy chunk) for less time than a long transaction may
// reasonably last.
func retryBusy(ctx context.Context, err error, since *time.Time) bool {
	var busy Busy
	if !errors.As(err, &busy) || !busy.Busy() || ctx.Err() != nil {
		return false
	}
	if since.IsZero() {
		*since = time.Now()
	}
	return time.Since(*since) < 5*time.Minute
}

// done counts a successful resync and resizes batches by its time.
func (a *Applier) done(n int, took time.Duration) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.applied += int64(n)
	if a.opts.BatchSize == 0 {
		o := a.opts
		a.size = nextSize(a.size, n, took, o.BatchTime, o.MinBatch, o.MaxBatch)
	}
}

func (a *Applier) putBack(batch [][]any, since uint64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, k := range batch {
		a.addLocked(k, since)
	}
	a.wake.Broadcast()
}

func merge(batch, more [][]any) [][]any {
	s := newKeySet()
	for _, k := range batch {
		s.add(k)
	}
	for _, k := range more {
		s.add(k)
	}
	keys, _ := s.take(s.len())
	return keys
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
