package inflight

import (
	"context"
	"testing"
	"time"
)

// TestWaitOlderWaitsForRunningChunksOnly: a wait returns when the chunks
// running at the call end, not before, and a chunk started after the call
// does not hold it back.
func TestWaitOlderWaitsForRunningChunksOnly(t *testing.T) {
	var tr Tracker
	ctx := context.Background()
	if err := tr.WaitOlder(ctx); err != nil {
		t.Fatalf("nothing running: %v", err)
	}
	doneA := tr.Start()
	waited := make(chan error, 1)
	go func() { waited <- tr.WaitOlder(ctx) }()
	time.Sleep(20 * time.Millisecond)
	doneB := tr.Start() // started after the wait: not waited for
	defer doneB()
	select {
	case err := <-waited:
		t.Fatalf("returned while a chunk ran: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	doneA()
	doneA() // twice is harmless
	select {
	case err := <-waited:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("did not return after the running chunk ended")
	}
}

// TestWaitOlderStopsWithContext: a canceled wait returns the context's error.
func TestWaitOlderStopsWithContext(t *testing.T) {
	var tr Tracker
	defer tr.Start()()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := tr.WaitOlder(ctx); err != context.DeadlineExceeded {
		t.Fatalf("WaitOlder = %v, want the deadline", err)
	}
}
