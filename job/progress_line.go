package job

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/hotswap/hotswap/control"
	"github.com/schollz/progressbar/v3"
)

// liveLine is the progress a person reads at a glance on a terminal, redrawn
// in place: percent, bar, rows copied of the estimate, then state, rate,
// ETA, lag and what holds the copy back. schollz/progressbar draws it (it
// fits the bar to the terminal's width and clears what it drew before); every
// figure is the run's own status, as the metrics and status-json give it.
type liveLine struct {
	bar         *progressbar.ProgressBar
	max         int64
	description string
}

func newLiveLine(w io.Writer) *liveLine {
	return &liveLine{max: 1, bar: progressbar.NewOptions64(1, progressbar.OptionSetWriter(w), progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(30), progressbar.OptionThrottle(0), progressbar.OptionShowDescriptionAtLineEnd(),
		progressbar.OptionSetPredictTime(false), progressbar.OptionSetElapsedTime(false))}
}

// draw shows st. The bar's end is the server's row estimate, moved past the
// rows copied while the copy goes on (an estimate is often low): the bar is
// full only once the copy is.
func (l *liveLine) draw(st control.Status) {
	end := max(st.RowsEstimated, 1)
	if st.Progress >= 100 {
		end = max(st.RowsCopied, 1)
	} else if st.RowsCopied >= end {
		end = st.RowsCopied + 1
	}
	if end != l.max {
		l.max = end
		l.bar.ChangeMax64(end)
	}
	if d := liveDescription(st); d != l.description {
		l.description = d
		l.bar.Describe(d)
	}
	_ = l.bar.Set64(st.RowsCopied)
}

// liveDescription is what follows the bar: state, rate, ETA, lag, elapsed,
// and why the copy is held or slower.
func liveDescription(st control.Status) string {
	parts := []string{st.State}
	if st.RowsPerSecond > 0 && st.Progress < 100 {
		parts = append(parts, fmt.Sprintf("%.0f rows/s", st.RowsPerSecond))
	}
	if st.Progress < 100 {
		parts = append(parts, "ETA "+etaText(st.ETASeconds))
	}
	parts = append(parts, fmt.Sprintf("lag %dms", max(st.StreamLagMS, st.ReplicaLagMS)),
		"elapsed "+(time.Duration(st.ElapsedSeconds)*time.Second).String())
	if st.Backlog > 0 {
		parts = append(parts, fmt.Sprintf("backlog %d", st.Backlog))
	}
	if st.Throttled {
		parts = append(parts, "throttled: "+st.ThrottleReason)
	}
	if st.ETAReason != "" {
		parts = append(parts, "ETA "+st.ETAReason)
	}
	return strings.Join(parts, " · ")
}

func etaText(seconds float64) string {
	if seconds < 0 {
		return "?"
	}
	return (time.Duration(seconds) * time.Second).String()
}
