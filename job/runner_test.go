package job

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hotswap/hotswap/control"
	"github.com/rs/zerolog"
)

func newTestRunner(s control.Settings) *Runner {
	return NewRunner(s, true, zerolog.Nop(), func() map[string]string { return nil }, "starting")
}

// TestWorkReturnsTheTaskThatFailed: a failing background task cancels the
// work, and the run's error is the task's (named), not "context canceled";
// every task has ended when Work returns.
func TestWorkReturnsTheTaskThatFailed(t *testing.T) {
	r := newTestRunner(control.Settings{})
	var ended atomic.Int32
	tasks := []Task{
		{"stream", func(context.Context) error { return errors.New("connection reset") }},
		{"quiet", func(ctx context.Context) error { <-ctx.Done(); ended.Add(1); return nil }},
	}
	err := r.Work(context.Background(), tasks, func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() })
	if err == nil || !strings.Contains(err.Error(), "stream: connection reset") {
		t.Fatalf("Work = %v, want the stream task's error", err)
	}
	if ended.Load() != 1 {
		t.Fatal("a task was still running after Work returned")
	}
}

// TestWorkKeepsTheWorksOwnError: with no background failure the work's own
// error (or nil) is the run's.
func TestWorkKeepsTheWorksOwnError(t *testing.T) {
	r := newTestRunner(control.Settings{})
	want := errors.New("checksum differs")
	if err := r.Work(context.Background(), nil, func(context.Context) error { return want }); err != want {
		t.Fatalf("Work = %v, want %v", err, want)
	}
	if err := r.Work(context.Background(), nil, func(context.Context) error { return nil }); err != nil {
		t.Fatalf("Work = %v, want nil", err)
	}
}

// TestPanicBeforeTheWorkIsRemembered: a panic command that comes before the
// work starts stops it at once, with ErrPanic.
func TestPanicBeforeTheWorkIsRemembered(t *testing.T) {
	r := newTestRunner(control.Settings{})
	r.Panic()
	err := r.Work(context.Background(), nil, func(ctx context.Context) error {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Second):
			return nil
		}
	})
	if !errors.Is(err, ErrPanic) {
		t.Fatalf("Work = %v, want ErrPanic", err)
	}
}

// TestPanicFlagFileStopsTheWork: the flag file appearing stops the work with
// ErrPanic, naming the file.
func TestPanicFlagFileStopsTheWork(t *testing.T) {
	flag := filepath.Join(t.TempDir(), "panic")
	r := newTestRunner(control.Settings{PanicFlagFile: flag})
	err := r.Work(context.Background(), nil, func(ctx context.Context) error {
		if err := os.WriteFile(flag, nil, 0o600); err != nil {
			return err
		}
		<-ctx.Done()
		return ctx.Err()
	})
	if !errors.Is(err, ErrPanic) || !strings.Contains(err.Error(), flag) {
		t.Fatalf("Work = %v, want ErrPanic naming %s", err, flag)
	}
}

// TestPeriodicRetriesAfterAFailure: a failed call is not the run's failure;
// the next tick calls again.
func TestPeriodicRetriesAfterAFailure(t *testing.T) {
	r := newTestRunner(control.Settings{})
	var calls atomic.Int32
	task := r.Periodic("checkpoint", 5*time.Millisecond, "not written", func(context.Context) error {
		calls.Add(1)
		return errors.New("lock wait timeout")
	})
	err := r.Work(context.Background(), []Task{task}, func(ctx context.Context) error {
		for calls.Load() < 3 {
			time.Sleep(time.Millisecond)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Work = %v: a failing periodic call must not fail the run", err)
	}
}

// TestPeriodicUnlessEndsOnAFatalFailure: a failure the predicate calls
// fatal (the server going away) ends the task, and so the work, with it;
// others are retried.
func TestPeriodicUnlessEndsOnAFatalFailure(t *testing.T) {
	r := newTestRunner(control.Settings{})
	gone := errors.New("the database system is shutting down")
	var calls atomic.Int32
	task := r.PeriodicUnless("checkpoint", 5*time.Millisecond, "not written", func(context.Context) error {
		if calls.Add(1) < 3 {
			return errors.New("lock wait timeout")
		}
		return gone
	}, func(err error) bool { return errors.Is(err, gone) })
	err := r.Work(context.Background(), []Task{task}, func(ctx context.Context) error {
		<-ctx.Done()
		return ctx.Err()
	})
	if !errors.Is(err, gone) || calls.Load() != 3 {
		t.Fatalf("Work = %v after %d calls, want the fatal failure after 3", err, calls.Load())
	}
}

// TestStatusLine: the live line says state, rows, percent, ETA, backlog,
// the larger lag and why the run is throttled.
func TestStatusLine(t *testing.T) {
	line := StatusLine(control.Status{State: "copying", RowsCopied: 50, RowsEstimated: 100, Progress: 50, ETASeconds: 90,
		Backlog: 3, StreamLagMS: 20, ReplicaLagMS: 700, Throttled: true, ThrottleReason: "manual (throttle command)"})
	for _, want := range []string{"copying", "50/100", "50.0%", "ETA 1m30s", "backlog 3", "lag 700ms", "throttled: manual"} {
		if !strings.Contains(line, want) {
			t.Errorf("progress line %q lacks %q", line, want)
		}
	}
	if line := StatusLine(control.Status{State: "copying", ETASeconds: -1}); !strings.Contains(line, "ETA ?") {
		t.Errorf("an unknown ETA: %q", line)
	}
}

// TestSetStateLogsChanges: the state moves, and each change is logged once
// (a state set again, as after a failed cut-over attempt, is not).
func TestSetStateLogsChanges(t *testing.T) {
	var log bytes.Buffer
	r := NewRunner(control.Settings{}, true, zerolog.New(&log), nil, "starting")
	r.SetState("copying")
	r.SetState("copying")
	r.SetState("done")
	if r.State() != "done" {
		t.Fatalf("state %q", r.State())
	}
	if n := strings.Count(log.String(), `"state":`); n != 2 {
		t.Fatalf("%d state lines logged, want 2:\n%s", n, log.String())
	}
}
