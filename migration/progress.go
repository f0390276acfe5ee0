package migration

import (
	"time"

	"github.com/hotswap/hotswap/control"
	"github.com/hotswap/hotswap/job"
)

// progress reports the run: a live line on a terminal, or a status log line
// every second for the first minute, then every 30 s (5 s past 90 %); and
// the on-status hook every --hooks-status-interval.
func (m *Migration) progress() job.Task {
	return job.Progress{Status: m.Status, Tick: 500 * time.Millisecond,
		LogEvery: logInterval, Log: m.logStatus}.Task(m.Runner)
}

func logInterval(st control.Status) time.Duration {
	switch {
	case st.ElapsedSeconds < 60:
		return time.Second
	case st.Progress >= 90:
		return 5 * time.Second
	}
	return 30 * time.Second
}

func (m *Migration) logStatus(st control.Status) {
	m.cfg.Log.Info().Str("state", st.State).Int64("copied", st.RowsCopied).Int64("estimated", st.RowsEstimated).
		Float64("progress_pct", round1(st.Progress)).Float64("eta_s", round1(st.ETASeconds)).Int("backlog", st.Backlog).
		Int64("stream_lag_ms", st.StreamLagMS).Int64("replica_lag_ms", st.ReplicaLagMS).
		Str("throttle", st.ThrottleReason).Msg("progress")
}

func round1(f float64) float64 { return float64(int64(f*10)) / 10 }
