package migration

import (
	"strings"
	"testing"
	"time"

	"github.com/hotswap/hotswap/control"
)

func TestProgressSchedule(t *testing.T) {
	for _, c := range []struct {
		elapsed, pct float64
		want         time.Duration
	}{{10, 5, time.Second}, {59, 95, time.Second}, {120, 50, 30 * time.Second}, {120, 92, 5 * time.Second}} {
		if got := logInterval(control.Status{ElapsedSeconds: c.elapsed, Progress: c.pct}); got != c.want {
			t.Errorf("elapsed %.0fs at %.0f%%: every %s, want %s", c.elapsed, c.pct, got, c.want)
		}
	}
	line := supLine(control.Status{State: "copying", RowsCopied: 50, RowsEstimated: 100, Progress: 50, ETASeconds: 90,
		Backlog: 3, StreamLagMS: 20, ReplicaLagMS: 700, Throttled: true, ThrottleReason: "manual (throttle command)"})
	for _, want := range []string{"copying", "50/100", "50.0%", "ETA 1m30s", "backlog 3", "lag 700ms", "throttled: manual"} {
		if !strings.Contains(line, want) {
			t.Errorf("progress line %q lacks %q", line, want)
		}
	}
}
