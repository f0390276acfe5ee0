package backfill_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/hotswap/hotswap/backfill"
	"github.com/hotswap/hotswap/throttle"
)

// TestBackfillStartAtAndMaxRuntime: with a fake clock, nothing changes
// before --start-at (status: waiting for start); --max-runtime then stops
// the backfill cleanly (no error, state stopped, the output says to
// --resume), and the resume finishes with the rows a single UPDATE makes.
func TestBackfillStartAtAndMaxRuntime(t *testing.T) {
	for _, newEnv := range engines {
		e := newEnv(t)
		t.Run(e.engine, func(t *testing.T) {
			e.t = t
			e.people(20000)
			now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
			clock := &fakeClock{now: now}
			cfg := e.config()
			cfg.Clock, cfg.StartAt, cfg.MaxRuntime = clock, now.Add(time.Hour), 90*time.Minute
			cfg.ChunkSize = 100
			cfg.Throttle = throttle.NewSettings()
			cfg.Throttle.Set("nice-ratio", "3")
			var out bytes.Buffer
			cfg.Out = &out
			run := start(cfg)
			eventually(t, "waiting for the start", func() bool {
				st := run.b.Status()
				return st.State == backfill.StateWaiting && strings.Contains(st.ThrottleReason, "waiting for start")
			})
			time.Sleep(300 * time.Millisecond)
			if e.nulls() != 18000 {
				t.Fatal("rows changed before --start-at")
			}
			clock.set(now.Add(time.Hour))
			eventually(t, "rows changed", func() bool { return run.b.Status().RowsChanged >= 1000 })
			clock.set(now.Add(90 * time.Minute)) // the runtime is spent
			if err := run.wait(t); err != nil {
				t.Fatalf("--max-runtime should stop cleanly: %v", err)
			}
			if run.b.State() != backfill.StateStopped || !strings.Contains(out.String(), "--resume") || e.nulls() == 0 {
				t.Fatalf("state %s, %d rows left, output:\n%s", run.b.State(), e.nulls(), out.String())
			}
			cfg.Resume, cfg.Clock, cfg.StartAt, cfg.MaxRuntime = true, nil, time.Time{}, 0
			if err := start(cfg).wait(t); err != nil {
				t.Fatal(err)
			}
			e.sameAsSingleUpdate(20000)
		})
	}
}

// TestBackfillMaxRuntimeCountsFromBegan: a run made after a server outage
// (Began is when the command started) has only what is left of
// --max-runtime; when the outage spent it, it stops at once, changing
// nothing, with its checkpoint kept for --resume.
func TestBackfillMaxRuntimeCountsFromBegan(t *testing.T) {
	e := mysqlEnv(t)
	e.people(2000)
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	cfg := e.config()
	cfg.Clock, cfg.Began, cfg.MaxRuntime = &fakeClock{now: now}, now.Add(-2*time.Hour), time.Hour
	if err := start(cfg).wait(t); err != nil {
		t.Fatalf("--max-runtime spent by the outage should stop cleanly: %v", err)
	}
	if n := e.nulls(); n != 1800 {
		t.Fatalf("%d rows changed after --max-runtime was spent", 1800-n)
	}
	if got := strings.Join(e.tables(), ","); !strings.Contains(got, "_t_bf") {
		t.Fatalf("tables %s: want the checkpoint kept for --resume", got)
	}
}
