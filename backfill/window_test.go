package backfill_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hotswap/hotswap/backfill"
	"github.com/hotswap/hotswap/throttle"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []fakeWaiter
}

type fakeWaiter struct {
	at time.Time
	ch chan time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.waiters = append(c.waiters, fakeWaiter{at: c.now.Add(d), ch: ch})
	return ch
}

// set moves the clock and wakes what waited for a time before it.
func (c *fakeClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
	kept := c.waiters[:0]
	for _, w := range c.waiters {
		if w.at.After(t) {
			kept = append(kept, w)
			continue
		}
		w.ch <- t
	}
	c.waiters = kept
}

// TestBackfillWindow: with --window 01:00-05:00 and a fake clock, the
// backfill waits before the window (status: waiting for window), changes
// rows inside it, stops changing at 05:00 and goes on when the next day's
// window opens, ending with the rows a single UPDATE makes.
func TestBackfillWindow(t *testing.T) {
	for _, newEnv := range engines {
		e := newEnv(t)
		t.Run(e.engine, func(t *testing.T) {
			e.t = t
			e.people(20000)
			day := time.Date(2026, 11, 25, 0, 30, 0, 0, time.UTC)
			clock := &fakeClock{now: day}
			cfg := e.config()
			cfg.Window, cfg.WindowTZ, cfg.Clock = "01:00-05:00", time.UTC, clock
			cfg.ChunkSize = 100
			cfg.Throttle = throttle.NewSettings()
			cfg.Throttle.Set("nice-ratio", "3")
			run := start(cfg)
			status := func() (string, string, int64) {
				st := run.b.Status()
				return st.State, st.ThrottleReason, st.RowsChanged
			}
			eventually(t, "waiting for the window", func() bool {
				s, why, _ := status()
				return s == backfill.StateWaiting && strings.Contains(why, "waiting for window 01:00-05:00")
			})
			time.Sleep(300 * time.Millisecond)
			if _, _, n := status(); n != 0 || e.nulls() != 18000 {
				t.Fatalf("rows changed before the window opened: %d", n)
			}
			clock.set(day.Add(30 * time.Minute)) // 01:00
			eventually(t, "rows changed inside the window", func() bool { _, _, n := status(); return n >= 2000 })
			clock.set(day.Add(270 * time.Minute)) // 05:00
			eventually(t, "waiting after the window closed", func() bool { s, _, _ := status(); return s == backfill.StateWaiting })
			_, _, atClose := status()
			settled := settle(t, "window closed", func() int64 { _, _, n := status(); return n }) // chunks in flight at 05:00 end
			time.Sleep(700 * time.Millisecond)
			if _, _, n := status(); n != settled || settled > atClose+400 {
				t.Fatalf("rows still changed after the window closed: %d at 05:00, %d settled, %d later", atClose, settled, n)
			}
			if e.nulls() != 18000-settled {
				t.Fatalf("the table has %d rows left to change, the status says %d changed", e.nulls(), settled)
			}
			if settled >= 18000 {
				t.Fatal("the backfill finished inside the first window: slow it down")
			}
			clock.set(day.Add(24*time.Hour + 30*time.Minute)) // the next day, 01:00
			if err := run.wait(t); err != nil {
				t.Fatal(err)
			}
			e.sameAsSingleUpdate(20000)
			t.Logf("%s: %d rows changed in the first window, the rest in the next", e.engine, settled)
		})
	}
}

func (e *env) nulls() int64 { return e.scalar("SELECT count(*) FROM t WHERE full_name IS NULL") }
