package job

import (
	"context"
	"fmt"
	"time"

	"github.com/hotswap/hotswap/control"
	"github.com/hotswap/hotswap/hooks"
)

// Progress reports a run while it works: a live line on a terminal
// (control.Settings.Progress), or else a status log line every LogEvery; and
// the on-status hook, with the line as STATUS, every --hooks-status-interval.
type Progress struct {
	Status   func() control.Status
	Tick     time.Duration                      // between looks at the status
	LogEvery func(control.Status) time.Duration // between log lines
	Log      func(control.Status)               // one log line
}

// Task is the progress report as a background task of r.
func (p Progress) Task(r *Runner) Task {
	return Task{"progress", func(ctx context.Context) error { return p.run(ctx, r) }}
}

func (p Progress) run(ctx context.Context, r *Runner) error {
	var line *liveLine
	if r.settings.Progress != nil {
		line = newLiveLine(r.settings.Progress)
	}
	tick := time.NewTicker(p.Tick)
	defer tick.Stop()
	var lastLog, lastHook time.Time
	for {
		select {
		case <-ctx.Done():
			if line != nil {
				line.draw(p.Status()) // the last state, then the log goes on below
				fmt.Fprintln(r.settings.Progress)
			}
			return nil
		case <-tick.C:
		}
		st, now := p.Status(), time.Now()
		if line != nil {
			line.draw(st)
		} else if now.Sub(lastLog) >= p.LogEvery(st) {
			lastLog = now
			p.Log(st)
		}
		if now.Sub(lastHook) >= r.settings.HooksStatusInterval {
			lastHook = now
			_ = r.hooks.Run(ctx, hooks.OnStatus, map[string]string{"STATUS": StatusLine(st)})
		}
	}
}

// StatusLine is the one-line summary: the live line, the on-status hook's text.
func StatusLine(st control.Status) string {
	line := fmt.Sprintf("%s: %d/%d rows %.1f%% ETA %s; backlog %d; lag %dms; elapsed %s", st.State, st.RowsCopied,
		st.RowsEstimated, st.Progress, etaText(st.ETASeconds), st.Backlog, max(st.StreamLagMS, st.ReplicaLagMS),
		(time.Duration(st.ElapsedSeconds) * time.Second).String())
	if st.Throttled {
		line += "; throttled: " + st.ThrottleReason
	}
	if st.ETAReason != "" {
		line += "; ETA " + st.ETAReason
	}
	return line
}

// Periodic is a task that calls f every interval until the run ends; a
// failure is logged with what, and the next call tries again (a checkpoint).
func (r *Runner) Periodic(name string, interval time.Duration, what string, f func(context.Context) error) Task {
	return r.PeriodicUnless(name, interval, what, f, nil)
}

// PeriodicUnless is Periodic, but a failure that fatal says is fatal ends
// the task with it. A checkpoint that fails because the server is going away
// ends the run: it then lets go of its connections (a PostgreSQL server
// shutting down waits for its replication connections, which confirm only
// what a checkpoint holds) and a resume continues from the last checkpoint.
func (r *Runner) PeriodicUnless(name string, interval time.Duration, what string, f func(context.Context) error, fatal func(error) bool) Task {
	return Task{name, func(ctx context.Context) error {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return nil
			case <-t.C:
			}
			if err := f(ctx); err != nil && ctx.Err() == nil {
				if fatal != nil && fatal(err) {
					return err
				}
				r.log.Warn().Err(err).Msg(what)
			}
		}
	}}
}
