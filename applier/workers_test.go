package applier

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// (a) Four workers flush at the same time; one worker never does.
func TestWorkersFlushConcurrently(t *testing.T) {
	for _, workers := range []int{1, 4} {
		r := newRecorder(workers, func(ctx context.Context, _ [][]any) error {
			sleep(ctx, 5*time.Millisecond)
			return nil
		})
		a := New(r.resync, Options{Workers: workers, BatchSize: 5, Interval: time.Millisecond})
		a.Add(context.Background(), keys(0, 400))
		stop := run(t, a)
		eventually(t, "all keys applied", func() bool { return a.Applied() == 400 })
		if err := stop(); err != nil {
			t.Fatal(err)
		}
		_, _, peak, _ := r.snapshot()
		switch {
		case workers == 1 && peak != 1:
			t.Errorf("1 worker: %d resyncs ran at once", peak)
		case workers == 4 && peak < 2:
			t.Errorf("4 workers: resyncs never ran concurrently (peak %d)", peak)
		}
		r.checkNoOverlap(t)
	}
}

// (b) Keys re-added all the time, with duplicates that merge keys of other
// partitions: no key is ever in two resyncs at once, a merged batch runs
// alone, and every key's last resync starts after its last Add.
func TestNoKeyInTwoFlights(t *testing.T) {
	const workers, space = 4, 64
	partner := partners(space, workers)
	r := newRecorder(workers, func(ctx context.Context, batch [][]any) error {
		time.Sleep(time.Duration(rand.IntN(1500)) * time.Microsecond)
		return swapConflict(batch, partner)
	})
	a := New(r.resync, Options{Workers: workers, BatchSize: 8, Interval: time.Millisecond})
	stop := run(t, a)
	lastAdd := addForAWhile(t, a, space, 300*time.Millisecond)
	eventually(t, "caught up", caughtUp(a))
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	r.checkNoOverlap(t)
	merged := 0
	for i, before := range lastAdd {
		calls := r.callsWith(key(i))
		if len(calls) == 0 || calls[len(calls)-1].start.Before(before) {
			t.Fatalf("key %d: no resync started after its last Add", i)
		}
		for _, c := range calls {
			if c.multi {
				merged++
			}
		}
	}
	if merged == 0 {
		t.Fatal("no batch was merged across partitions: the test did not test the rule")
	}
}

// partners pairs each key with a key of another partition.
func partners(space, workers int) map[string][]any {
	out := map[string][]any{}
	for i := range space {
		for j := 1; ; j++ {
			k := (i + j) % space
			if partOf(KeyString(key(k)), workers) != partOf(KeyString(key(i)), workers) {
				out[KeyString(key(i))] = key(k)
				break
			}
		}
	}
	return out
}

// swapConflict acts as if every key 5n swapped a unique value with its
// partner: a batch with the one but not the other is a duplicate naming it.
func swapConflict(batch [][]any, partner map[string][]any) error {
	for _, k := range batch {
		p := partner[KeyString(k)]
		if k[0].(int64)%5 == 0 && !has(batch, p) {
			return dupErr{keys: [][]any{p}}
		}
	}
	return nil
}

// addForAWhile adds random keys below space from two goroutines for d and
// returns the time just before each key's last Add.
func addForAWhile(t *testing.T, a *Applier, space int, d time.Duration) []time.Time {
	var mu sync.Mutex
	last := make([]time.Time, space)
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for end := time.Now().Add(d); time.Now().Before(end); {
				i := rand.IntN(space)
				mu.Lock() // keeps last[i] in Add order
				last[i] = time.Now()
				err := a.Add(context.Background(), [][]any{key(i)})
				mu.Unlock()
				if err != nil {
					t.Error(err)
					return
				}
				time.Sleep(50 * time.Microsecond)
			}
		})
	}
	wg.Wait()
	for i := range last {
		if last[i].IsZero() {
			last[i] = time.Now()
			a.Add(context.Background(), [][]any{key(i)})
		}
	}
	return last
}

// (c) A key added again while its batch is in flight waits for that batch,
// then is resynced once more.
func TestReaddedWhileInFlightIsResyncedAfter(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	var first atomic.Bool
	first.Store(true)
	r := newRecorder(2, func(ctx context.Context, _ [][]any) error {
		if first.Swap(false) {
			close(entered)
			select {
			case <-release:
			case <-ctx.Done():
			}
		}
		return nil
	})
	a := New(r.resync, Options{Workers: 2, Interval: time.Millisecond})
	a.Add(context.Background(), [][]any{key(7)})
	stop := run(t, a)
	<-entered
	a.Add(context.Background(), [][]any{key(7)})
	time.Sleep(50 * time.Millisecond) // room for a wrong second flush
	if n := len(r.callsWith(key(7))); n != 0 || a.Backlog() != 1 {
		t.Fatalf("while in flight: %d finished resyncs, backlog %d; want 0 and 1", n, a.Backlog())
	}
	close(release)
	eventually(t, "second resync", func() bool { return a.Applied() == 2 })
	stop()
	calls := r.callsWith(key(7))
	if len(calls) != 2 || calls[1].start.Before(calls[0].end) {
		t.Fatalf("want two resyncs of key 7, the second after the first: %+v", calls)
	}
	r.checkNoOverlap(t)
}

// Run ends every worker: after it returns no resync is running or starts.
func TestRunEndsAllWorkers(t *testing.T) {
	r := newRecorder(4, func(ctx context.Context, _ [][]any) error {
		sleep(ctx, 2*time.Millisecond)
		return ctx.Err()
	})
	a := New(r.resync, Options{Workers: 4, BatchSize: 3, Interval: time.Millisecond})
	a.Add(context.Background(), keys(0, 5000))
	stop := run(t, a)
	eventually(t, "flushes", func() bool { _, cur, _, _ := r.snapshot(); return cur > 1 })
	if err := stop(); err != nil {
		t.Fatalf("Run after cancel: %v", err)
	}
	calls, cur, _, _ := r.snapshot()
	time.Sleep(30 * time.Millisecond)
	later, _, _, _ := r.snapshot()
	if cur != 0 || len(later) != len(calls) {
		t.Fatalf("after Run returned: %d resyncs running, %d started", cur, len(later)-len(calls))
	}
	if got := int(a.Applied()) + a.Backlog(); got != 5000 {
		t.Fatalf("applied+backlog = %d, want 5000 (interrupted batches go back)", got)
	}
	if a.Busy() {
		t.Fatal("Busy after Run returned")
	}
}

// A failing worker stops the others and Run returns its error.
func TestRunReturnsFlushError(t *testing.T) {
	bad := keysIn(2, 1, 4)[0]
	r := newRecorder(4, func(ctx context.Context, batch [][]any) error {
		if has(batch, bad) {
			return dupErr{} // a real duplicate: no keys
		}
		sleep(ctx, time.Millisecond)
		return nil
	})
	a := New(r.resync, Options{Workers: 4, BatchSize: 2, Interval: time.Millisecond})
	a.Add(context.Background(), keys(0, 1000))
	a.Add(context.Background(), [][]any{bad})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := a.Run(ctx) // returns by itself, with the error
	if err == nil {
		t.Fatal("Run did not report the duplicate")
	}
	if _, cur, _, _ := r.snapshot(); cur != 0 {
		t.Fatalf("%d resyncs still running after Run returned", cur)
	}
	if a.Backlog() == 0 {
		t.Fatal("the failed batch was not put back")
	}
}

func TestRunTwiceRefused(t *testing.T) {
	a := New(func(context.Context, [][]any) error { return nil }, Options{})
	stop := run(t, a)
	time.Sleep(5 * time.Millisecond)
	if err := a.Run(context.Background()); err == nil {
		t.Fatal("a second Run was allowed")
	}
	stop()
}

// Options.Wait is consulted before each flush and holds flushes back.
func TestWaitBeforeEachFlush(t *testing.T) {
	gate := make(chan struct{})
	var waits atomic.Int64
	wait := func(ctx context.Context) error {
		waits.Add(1)
		select {
		case <-gate:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	r := newRecorder(2, nil)
	a := New(r.resync, Options{Workers: 2, BatchSize: 1, Interval: time.Millisecond, Wait: wait})
	a.Add(context.Background(), keys(0, 20))
	stop := run(t, a)
	time.Sleep(30 * time.Millisecond)
	if calls, _, _, _ := r.snapshot(); len(calls) != 0 {
		t.Fatalf("%d resyncs while throttled", len(calls))
	}
	close(gate)
	eventually(t, "applied", func() bool { return a.Applied() == 20 })
	stop()
	if calls, _, _, _ := r.snapshot(); waits.Load() < int64(len(calls)) {
		t.Fatalf("%d waits for %d resyncs", waits.Load(), len(calls))
	}
}

// A throttler that fails while the run lives ends Run with its error,
// rather than leaving a partition unflushed.
func TestWaitErrorEndsRun(t *testing.T) {
	failed := errors.New("throttler stopped")
	a := New(func(context.Context, [][]any) error { return nil },
		Options{Workers: 3, Wait: func(context.Context) error { return failed }})
	if err := a.Run(context.Background()); !errors.Is(err, failed) {
		t.Fatalf("Run: %v, want the throttler's error", err)
	}
}
