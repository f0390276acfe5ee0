package copier

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestWatermarkThenResume: a copy stopped part-way reports a watermark below
// which every key is copied; a copy started from it copies exactly the rest,
// so together every key is copied, and none below the mark twice.
func TestWatermarkThenResume(t *testing.T) {
	f := newFakeTable(10_000, 0)
	ctx, cancel := context.WithCancelCause(context.Background())
	stop := errors.New("stopped")
	var c *Copier
	c = New(f, Options{ChunkSize: 100, FixedChunkSize: true, Threads: 4, After: func(context.Context, time.Duration) {
		if c.Copied() >= 3000 {
			cancel(stop)
		}
	}})
	if err := c.Run(ctx); err == nil {
		t.Fatal("the stopped copy should fail")
	}
	low, ok, all := c.Watermark()
	if !ok || all {
		t.Fatalf("watermark after a partial copy: %v ok=%v all=%v", low, ok, all)
	}
	mark := keyOf(low)
	for k := int64(1); k <= mark; k++ {
		if f.hits[k] != 1 {
			t.Fatalf("key %d is under the watermark %d but was copied %d times", k, mark, f.hits[k])
		}
	}
	r := New(f, Options{ChunkSize: 100, FixedChunkSize: true, Threads: 4, Start: low})
	if err := r.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	for k := int64(1); k <= f.n; k++ {
		if f.hits[k] == 0 {
			t.Fatalf("key %d never copied", k)
		}
		if k <= mark && f.hits[k] != 1 {
			t.Fatalf("key %d under the watermark copied again", k)
		}
	}
	if _, _, all := r.Watermark(); !all {
		t.Fatal("a finished copy's watermark should say all")
	}
}
