package migration

import (
	"testing"
	"time"

	"github.com/hotswap/hotswap/control"
)

// TestProgressSchedule: a status log line every second for the first minute,
// then every 30 s, every 5 s past 90 %.
func TestProgressSchedule(t *testing.T) {
	for _, c := range []struct {
		elapsed, pct float64
		want         time.Duration
	}{{10, 5, time.Second}, {59, 95, time.Second}, {120, 50, 30 * time.Second}, {120, 92, 5 * time.Second}} {
		if got := logInterval(control.Status{ElapsedSeconds: c.elapsed, Progress: c.pct}); got != c.want {
			t.Errorf("elapsed %.0fs at %.0f%%: every %s, want %s", c.elapsed, c.pct, got, c.want)
		}
	}
}
