package applier

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// TestHoldStopsFlushesAndKeepsMaxKeys: while held, nothing is resynced and,
// unlike a pause, an Add past MaxKeys waits (the stream reader slows down
// instead of memory growing); after Release the keys are resynced and the
// waiting Add goes on.
func TestHoldStopsFlushesAndKeepsMaxKeys(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var resynced atomic.Int64
	a := New(func(_ context.Context, keys [][]any) error {
		resynced.Add(int64(len(keys)))
		return nil
	}, Options{Workers: 1, BatchSize: 1, MaxKeys: 2, Interval: time.Millisecond})
	go a.Run(ctx)
	a.Hold()
	if err := a.Add(ctx, [][]any{{1}, {2}}); err != nil {
		t.Fatal(err)
	}
	added := make(chan error, 1)
	go func() { added <- a.Add(ctx, [][]any{{3}}) }()
	time.Sleep(50 * time.Millisecond)
	if n := resynced.Load(); n != 0 {
		t.Fatalf("%d keys resynced while held", n)
	}
	select {
	case err := <-added:
		t.Fatalf("an Add past MaxKeys returned while held (%v): it should wait", err)
	default:
	}
	a.Release()
	if err := <-added; err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return resynced.Load() == 3 })
}
