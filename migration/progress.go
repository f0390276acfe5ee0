package migration

import (
	"context"
	"fmt"
	"time"

	"github.com/hotswap/hotswap/control"
	"github.com/hotswap/hotswap/hooks"
)

// progress reports the run: a live line on a terminal, or a status log line
// every second for the first minute, then every 30 s (5 s past 90 %); and
// the on-status hook every --hooks-status-interval.
func (m *Migration) progress(ctx context.Context) error {
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	var lastLog, lastHook time.Time
	for {
		select {
		case <-ctx.Done():
			if m.cfg.Progress != nil {
				fmt.Fprintln(m.cfg.Progress)
			}
			return nil
		case <-tick.C:
		}
		st := m.Status()
		now := time.Now()
		if m.cfg.Progress != nil {
			fmt.Fprintf(m.cfg.Progress, "\r\033[K%s", supLine(st))
		} else if now.Sub(lastLog) >= logInterval(st) {
			lastLog = now
			m.logStatus(st)
		}
		if now.Sub(lastHook) >= m.cfg.HooksStatusInterval {
			lastHook = now
			_ = m.hooks.Run(ctx, hooks.OnStatus, map[string]string{"STATUS": supLine(st)})
		}
	}
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

// supLine is the one-line summary: the live line, the on-status hook's text.
func supLine(st control.Status) string {
	eta := "?"
	if st.ETASeconds >= 0 {
		eta = (time.Duration(st.ETASeconds) * time.Second).String()
	}
	line := fmt.Sprintf("%s: %d/%d rows %.1f%% ETA %s; backlog %d; lag %dms; elapsed %s", st.State, st.RowsCopied,
		st.RowsEstimated, st.Progress, eta, st.Backlog, max(st.StreamLagMS, st.ReplicaLagMS),
		(time.Duration(st.ElapsedSeconds) * time.Second).String())
	if st.Throttled {
		line += "; throttled: " + st.ThrottleReason
	}
	return line
}

func round1(f float64) float64 { return float64(int64(f*10)) / 10 }
