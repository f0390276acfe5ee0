package applier

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// (g) A busy resync is retried until the rows are free.
func TestBusyIsRetried(t *testing.T) {
	for _, workers := range []int{1, 4} {
		var mu sync.Mutex
		fails := map[string]int{}
		r := newRecorder(workers, func(_ context.Context, batch [][]any) error {
			mu.Lock()
			defer mu.Unlock()
			if id := KeyString(batch[0]); fails[id] < 3 {
				fails[id]++
				return busyErr{}
			}
			return nil
		})
		// One key per partition: each worker's batch fails 3 times.
		var ks [][]any
		for p := range workers {
			ks = append(ks, keysIn(p, 1, workers)...)
		}
		a := New(r.resync, Options{Workers: workers, Interval: time.Millisecond})
		a.Add(context.Background(), ks)
		stop := run(t, a)
		eventually(t, "applied", func() bool { return a.Applied() == int64(workers) })
		if err := stop(); err != nil {
			t.Fatal(err)
		}
		if calls, _, _, _ := r.snapshot(); len(calls) != 4*workers {
			t.Fatalf("%d workers: %d calls, want %d (3 busy + 1 each)", workers, len(calls), 4*workers)
		}
	}
}

// (g) Stale rows a duplicate names are merged into the batch, on a worker
// and in Drain; with keys of other partitions the merged batch runs alone.
func TestConflictKeysMerged(t *testing.T) {
	const workers = 4
	k1 := keysIn(0, 1, workers)[0]
	k2 := keysIn(1, 1, workers)[0] // holds k1's new unique value
	hook := func(ctx context.Context, batch [][]any) error {
		if has(batch, k1) && !has(batch, k2) {
			return dupErr{keys: [][]any{k2}}
		}
		sleep(ctx, time.Millisecond)
		return nil
	}
	r := newRecorder(workers, hook)
	a := New(r.resync, Options{Workers: workers, BatchSize: 3, Interval: time.Millisecond})
	a.Add(context.Background(), keys(100, 400)) // others keep every worker busy
	a.Add(context.Background(), [][]any{k1})
	stop := run(t, a)
	eventually(t, "caught up", caughtUp(a))
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	r.checkNoOverlap(t)
	if got := r.callsWith(k2); len(got) != 1 || !got[0].multi {
		t.Fatalf("k2 resynced by %d calls, want the merged one", len(got))
	}

	d := newRecorder(workers, hook)
	a.Add(context.Background(), [][]any{k1})
	a.Pause()
	if err := a.Drain(context.Background(), d.resync); err != nil || len(d.callsWith(k2)) != 1 {
		t.Fatalf("Drain: %v, k2 in %d calls; want it merged once", err, len(d.callsWith(k2)))
	}
}

// A duplicate naming no stale row is real: the flush fails, naming it.
func TestRealDuplicateFails(t *testing.T) {
	a := New(nil, Options{})
	a.Add(context.Background(), keys(0, 3))
	a.Pause()
	err := a.Drain(context.Background(), func(context.Context, [][]any) error {
		return dupErr{}
	})
	if err == nil || !strings.Contains(err.Error(), "apply changes to 3 keys") || !errors.As(err, new(dupErr)) {
		t.Fatalf("Drain: %v", err)
	}
	if a.Backlog() != 3 {
		t.Fatalf("backlog %d, want the 3 keys back", a.Backlog())
	}
}

// A duplicate naming stale rows forever ends after 20 merges.
func TestEndlessConflictsEnd(t *testing.T) {
	n := 1000
	a := New(nil, Options{})
	a.Add(context.Background(), keys(0, 1))
	a.Pause()
	err := a.Drain(context.Background(), func(context.Context, [][]any) error {
		n++
		return dupErr{keys: [][]any{key(n)}}
	})
	if err == nil || n != 1021 {
		t.Fatalf("Drain: %v after %d merges, want an error after 20", err, n-1000)
	}
}
