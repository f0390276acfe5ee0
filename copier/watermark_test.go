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

// TestCopiedReportsRangesInKeyOrder: chunks finish out of order on four
// workers, yet Copied hears of them in key order, each starting where the
// one before ended, the last open-ended, and only once every chunk up to it
// is copied.
func TestCopiedReportsRangesInKeyOrder(t *testing.T) {
	f := newFakeTable(10_000, time.Microsecond)
	var got []keyRange
	var c *Copier
	c = New(f, Options{ChunkSize: 70, FixedChunkSize: true, Threads: 4, Copied: func(lo, hi []any, rows int) {
		r := keyRange{hi: -1}
		if lo != nil {
			r.lo = keyOf(lo)
		}
		if hi != nil {
			r.hi = keyOf(hi)
			for k := r.lo + 1; k <= r.hi; k++ {
				if f.hits[k] == 0 {
					t.Errorf("range (%d, %d] reported before key %d was copied", r.lo, r.hi, k)
				}
			}
			if rows != 70 {
				t.Errorf("range (%d, %d] reported with %d rows, cut with 70", r.lo, r.hi, rows)
			}
		}
		got = append(got, r)
	}})
	if err := c.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(got) == 0 || got[0].lo != 0 || got[len(got)-1].hi != -1 {
		t.Fatalf("ranges should run from the start to the open end: %v", got)
	}
	for i := 1; i < len(got); i++ {
		if got[i].lo != got[i-1].hi {
			t.Fatalf("range %d starts at %d, the one before ended at %d", i, got[i].lo, got[i-1].hi)
		}
	}
	if want := 10_000/70 + 1; len(got) != want {
		t.Fatalf("%d ranges reported, %d chunks cut", len(got), want)
	}
}
