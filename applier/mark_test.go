package applier

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// TestCoveredWaitsForKeysAddedBeforeMark: a mark is covered only after every
// key added before it was resynced — including one in a flush that was in
// progress at the mark and one a failed flush put back — and keys added
// after the mark do not hold it back.
func TestCoveredWaitsForKeysAddedBeforeMark(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	release := make(chan struct{})
	var fail atomic.Bool
	fail.Store(true)
	resync := func(ctx context.Context, keys [][]any) error {
		if keys[0][0] == 1 {
			<-release // key 1's flush is in progress at the mark
		}
		if keys[0][0] == 2 && fail.Swap(false) {
			return errors.New("first flush of key 2 fails")
		}
		return nil
	}
	a := New(resync, Options{Workers: 1, BatchSize: 1, Interval: time.Millisecond})
	a.Add(ctx, [][]any{{1}, {2}})
	errs := make(chan error, 1)
	go func() { errs <- a.Run(ctx) }()
	waitFor(t, func() bool { return a.Busy() })
	mark := a.Mark()
	a.Add(ctx, [][]any{{3}}) // after the mark: must not matter
	if a.Covered(mark) {
		t.Fatal("covered while key 1 is still being flushed")
	}
	close(release)
	// key 2's first flush fails and stops Run: its key goes back pending.
	if err := <-errs; err == nil {
		t.Fatal("Run should return the failed flush")
	}
	if a.Covered(mark) {
		t.Fatal("covered while key 2 (added before the mark) was put back unapplied")
	}
	go func() { errs <- a.Run(ctx) }()
	waitFor(t, func() bool { return a.Covered(mark) })
	if a.Backlog() != 0 && a.Covered(a.Mark()) {
		t.Fatal("a fresh mark is covered while keys are pending")
	}
	cancel()
	<-errs
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		time.Sleep(time.Millisecond)
	}
}
