package applier

import (
	"context"
	"sync"
	"testing"
	"time"
)

func TestNextSize(t *testing.T) {
	ms := time.Millisecond
	for _, c := range []struct {
		size, n int
		took    time.Duration
		want    int
	}{
		{100, 100, 400 * ms, 75},   // twice too slow: halfway to 50
		{100, 100, 100 * ms, 150},  // twice too fast: halfway to 200
		{100, 100, 1 * ms, 200},    // far too fast: at most doubles
		{100, 100, 200 * ms, 100},  // on target
		{100, 10, 1 * ms, 100},     // a short batch does not grow it
		{100, 10, 400 * ms, 52},    // but a slow one shrinks it (ideal 5)
		{12, 12, 10000 * ms, 10},   // lower bound
		{4000, 4000, 1 * ms, 5000}, // upper bound
	} {
		if got := nextSize(c.size, c.n, c.took, 200*ms, 10, 5000); got != c.want {
			t.Errorf("nextSize(%d, %d keys in %v) = %d, want %d", c.size, c.n, c.took, got, c.want)
		}
	}
}

// (f) Batches grow when resyncs are quicker than BatchTime and shrink when
// slower, settling near the size that takes BatchTime. A resync of n keys
// takes n*perKey on a fake clock: a loaded machine's late wake-ups from
// real sleeps would shrink the batches and fail the test for no fault.
func TestBatchSizeMovesTowardTarget(t *testing.T) {
	for _, c := range []struct {
		perKey   time.Duration
		lo, hi   int // the target is 20ms/perKey keys
		keyCount int
	}{
		{100 * time.Microsecond, 130, 260, 6000}, // target 200, from 100
		{time.Millisecond, 10, 35, 400},          // target 20, from 100
	} {
		var mu sync.Mutex
		clock := time.Unix(0, 0)
		a := New(func(ctx context.Context, keys [][]any) error {
			mu.Lock()
			defer mu.Unlock()
			clock = clock.Add(time.Duration(len(keys)) * c.perKey)
			return nil
		}, Options{BatchTime: 20 * time.Millisecond, Interval: time.Millisecond})
		a.now = func() time.Time {
			mu.Lock()
			defer mu.Unlock()
			return clock
		}
		a.Add(context.Background(), keys(0, c.keyCount))
		stop := run(t, a)
		eventually(t, "caught up", caughtUp(a))
		stop()
		a.mu.Lock()
		size := a.size
		a.mu.Unlock()
		if size < c.lo || size > c.hi {
			t.Errorf("%v a key: batch size %d, want %d..%d", c.perKey, size, c.lo, c.hi)
		}
	}
}

// BatchSize fixes the size whatever the timing.
func TestFixedBatchSize(t *testing.T) {
	r := newRecorder(1, func(context.Context, [][]any) error { time.Sleep(time.Millisecond); return nil })
	a := New(r.resync, Options{BatchSize: 7, BatchTime: time.Millisecond, Interval: time.Millisecond})
	a.Add(context.Background(), keys(0, 70))
	stop := run(t, a)
	eventually(t, "caught up", caughtUp(a))
	stop()
	calls, _, _, _ := r.snapshot()
	for _, c := range calls {
		if len(c.keys) != 7 {
			t.Fatalf("batch of %d keys, want 7", len(c.keys))
		}
	}
}
