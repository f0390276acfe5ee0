package versions

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestFleetRunsAtMostConcurrency: every server runs, never more than
// concurrency at once.
func TestFleetRunsAtMostConcurrency(t *testing.T) {
	servers := []Server{{Name: "a"}, {Name: "b"}, {Name: "c"}, {Name: "d"}, {Name: "e"}}
	var now, most, runs atomic.Int32
	err := Fleet(context.Background(), servers, 2, func(context.Context, Config) error {
		n := now.Add(1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		time.Sleep(20 * time.Millisecond)
		now.Add(-1)
		runs.Add(1)
		return nil
	})
	if err != nil || runs.Load() != 5 || most.Load() != 2 {
		t.Fatalf("err %v, %d runs, at most %d at once (want 5 runs, 2 at once)", err, runs.Load(), most.Load())
	}
}

// TestFleetStopsStartingAfterAFailure: once a server fails no new one
// starts; the error says which failed, which succeeded, which never started.
func TestFleetStopsStartingAfterAFailure(t *testing.T) {
	servers := []Server{{Name: "a", Config: Config{Dir: "a"}}, {Name: "b", Config: Config{Dir: "b"}}, {Name: "c", Config: Config{Dir: "c"}}}
	err := Fleet(context.Background(), servers, 1, func(_ context.Context, c Config) error {
		if c.Dir == "b" {
			return errors.New("version 2 (x) failed at its statement 1: boom\nmore")
		}
		return nil
	})
	want := []string{"a: ok", "b: version 2 (x) failed at its statement 1: boom", "c: not started"}
	for _, w := range want {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Fatalf("error %v lacks %q", err, w)
		}
	}
	var drift *ErrDrift
	err = Fleet(context.Background(), servers[:1], 1, func(context.Context, Config) error { return &ErrDrift{Drift: []string{"x"}} })
	if !errors.As(err, &drift) {
		t.Fatalf("drift on a server is lost: %v", err)
	}
}
