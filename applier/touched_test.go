package applier

import (
	"context"
	"fmt"
	"testing"
)

// TestTouchedRecordsEveryKeyAddedSinceRecord: keys added before Record are
// not recorded, keys added after are, once each however often added, even
// after they were resynced and left the pending set.
func TestTouchedRecordsEveryKeyAddedSinceRecord(t *testing.T) {
	ctx := context.Background()
	a := New(func(context.Context, [][]any) error { return nil }, Options{})
	if _, complete := a.Touched(); complete {
		t.Fatal("an applier not recording must not claim a complete record")
	}
	a.Add(ctx, [][]any{{int64(1)}})
	a.Record(10)
	a.Add(ctx, [][]any{{int64(2)}, {int64(3)}, {int64(2)}})
	if err := a.Drain(ctx, func(context.Context, [][]any) error { return nil }); err != nil {
		t.Fatal(err)
	}
	a.Add(ctx, [][]any{{int64(3)}, {int64(4)}})
	keys, complete := a.Touched()
	if !complete {
		t.Fatal("4 keys under a limit of 10 should be complete")
	}
	if got := fmt.Sprint(keys); got != "[[2] [3] [4]]" {
		t.Fatalf("recorded %s, want [[2] [3] [4]]", got)
	}
	a.StopRecording()
	if _, complete := a.Touched(); complete {
		t.Fatal("after StopRecording the record must not claim to be complete")
	}
}

// TestTouchedPastItsLimitIsIncomplete: one key more than the limit makes the
// record incomplete for good, so a checksum falls back to comparing all.
func TestTouchedPastItsLimitIsIncomplete(t *testing.T) {
	ctx := context.Background()
	a := New(func(context.Context, [][]any) error { return nil }, Options{})
	a.Record(3)
	a.Add(ctx, [][]any{{1}, {2}, {3}, {3}})
	if _, complete := a.Touched(); !complete {
		t.Fatal("3 distinct keys fit a limit of 3")
	}
	a.Add(ctx, [][]any{{4}})
	a.Add(ctx, [][]any{{1}})
	if keys, complete := a.Touched(); complete || keys != nil {
		t.Fatalf("past the limit: keys=%v complete=%v, want none and incomplete", keys, complete)
	}
}
