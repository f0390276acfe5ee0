package applier

import (
	"context"
	"errors"
	"testing"
	"time"
)

// (d) Add blocks once MaxKeys keys are pending and goes on when a flush
// takes some; a blocked Add gives up when its ctx ends, recording nothing.
func TestAddBlocksAtMaxKeys(t *testing.T) {
	r := newRecorder(2, nil)
	a := New(r.resync, Options{Workers: 2, MaxKeys: 10, BatchSize: 4, Interval: time.Millisecond})
	if err := a.Add(context.Background(), keys(0, 10)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var err error
	blocked, ok := returnsWithin(50*time.Millisecond, func() { err = a.Add(ctx, keys(10, 11)) })
	if ok {
		t.Fatal("Add did not block at MaxKeys")
	}
	cancel()
	<-blocked
	if !errors.Is(err, context.Canceled) || a.Backlog() != 10 {
		t.Fatalf("cancelled Add: %v, backlog %d; want context.Canceled and 10", err, a.Backlog())
	}
	done, _ := returnsWithin(0, func() { err = a.Add(context.Background(), keys(20, 21)) })
	time.Sleep(20 * time.Millisecond)
	stop := run(t, a)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Add still blocked while the applier flushes")
	}
	eventually(t, "all applied", func() bool { return a.Applied() == 11 })
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

// (d) While paused Add never blocks, however many keys are pending, and a
// Pause releases an Add already blocked: the cut-over holding the pause
// waits for the stream, which waits in Add.
func TestAddNeverBlocksWhilePaused(t *testing.T) {
	a := New(func(context.Context, [][]any) error { return nil }, Options{MaxKeys: 10})
	a.Add(context.Background(), keys(0, 10))
	done, ok := returnsWithin(30*time.Millisecond, func() { a.Add(context.Background(), keys(10, 11)) })
	if ok {
		t.Fatal("Add did not block at MaxKeys")
	}
	if _, ok := returnsWithin(5*time.Second, a.Pause); !ok {
		t.Fatal("Pause blocked")
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Pause did not release the blocked Add")
	}
	for i := range 100 {
		if _, ok := returnsWithin(5*time.Second, func() { a.Add(context.Background(), keys(100+i*10, 110+i*10)) }); !ok {
			t.Fatalf("Add blocked while paused, at %d pending keys", a.Backlog())
		}
	}
	if a.Backlog() != 1011 {
		t.Fatalf("backlog %d, want 1011", a.Backlog())
	}
}

// (e) Pause waits for the flushes of every worker, none starts while
// paused, and Drain resyncs everything pending with its own func.
func TestPauseWaitsForAllWorkersThenDrain(t *testing.T) {
	const workers = 4
	release := make(chan struct{}, workers)
	r := newRecorder(workers, func(ctx context.Context, _ [][]any) error {
		select {
		case <-release:
		case <-ctx.Done():
		}
		return ctx.Err()
	})
	a := New(r.resync, Options{Workers: workers, BatchSize: 2, Interval: time.Millisecond})
	for p := range workers {
		a.Add(context.Background(), keysIn(p, 10, workers))
	}
	stop := run(t, a)
	eventually(t, "a flush on every worker", func() bool { _, cur, _, _ := r.snapshot(); return cur == workers })
	paused, _ := returnsWithin(0, a.Pause)
	eventually(t, "Pause called", func() bool { a.mu.Lock(); defer a.mu.Unlock(); return a.paused })
	for i := range workers - 1 {
		release <- struct{}{}
		eventually(t, "a flush ends", func() bool { _, cur, _, _ := r.snapshot(); return cur == workers-1-i })
		time.Sleep(5 * time.Millisecond)
		select {
		case <-paused:
			t.Fatalf("Pause returned with %d flushes in progress", workers-1-i)
		default:
		}
		if !a.Busy() {
			t.Fatal("not Busy with a flush in progress")
		}
	}
	release <- struct{}{}
	<-paused
	started, cur, _, _ := r.snapshot()
	if cur != 0 || a.Busy() {
		t.Fatalf("Pause returned with %d resyncs running (Busy %v)", cur, a.Busy())
	}
	time.Sleep(30 * time.Millisecond)
	if now, _, _, _ := r.snapshot(); len(now) != len(started) {
		t.Fatalf("%d flushes started while paused", len(now)-len(started))
	}
	drained := newRecorder(workers, nil)
	left := a.Backlog()
	if err := a.Drain(context.Background(), drained.resync); err != nil {
		t.Fatal(err)
	}
	if n := countKeys(drained); a.Backlog() != 0 || n != left {
		t.Fatalf("after Drain: backlog %d, drained %d keys of %d", a.Backlog(), n, left)
	}
	a.Resume()
	stop()
}

func countKeys(r *recorder) int {
	calls, _, _, _ := r.snapshot()
	n := 0
	for _, c := range calls {
		if c.err == nil {
			n += len(c.keys)
		}
	}
	return n
}

// A Drain cut short by its ctx (the cut-over budget) leaves the keys it
// could not resync pending, for the next attempt.
func TestDrainCutShortKeepsKeys(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	a := New(nil, Options{BatchSize: 5})
	a.Add(context.Background(), keys(0, 20))
	a.Pause()
	err := a.Drain(ctx, func(ctx context.Context, _ [][]any) error {
		if calls++; calls == 2 {
			cancel()
			return ctx.Err()
		}
		return nil
	})
	if err == nil || a.Backlog() != 15 || a.Applied() != 5 {
		t.Fatalf("Drain: %v, backlog %d, applied %d; want an error, 15, 5", err, a.Backlog(), a.Applied())
	}
}
