package backfill

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/hotswap/hotswap/control"
	"github.com/hotswap/hotswap/job"
)

// Backfill is the control socket's target: status, pause/resume (throttle),
// chunk-size and the throttling knobs, panic.
var _ control.Target = (*Backfill)(nil)

// Changed is the rows the change touched, in this run and the runs it
// resumed.
func (b *Backfill) Changed() int64 {
	var n int64
	if p := b.running.Load(); p != nil {
		n = p.copier.Copied()
	}
	if b.resumed != nil {
		n += b.resumed.Changed
	}
	return n
}

// Status is what status, status-json and sup report. RowsCopied is the
// rows the chunks spanned, RowsChanged those the change touched.
func (b *Backfill) Status() control.Status {
	c := b.cfg
	estimate := b.estimate.Load()
	st := control.Status{State: b.State(), Server: c.Conn.Addr(), Database: c.Conn.Database, Table: c.Table, RowsEstimated: estimate, ETASeconds: -1,
		ElapsedSeconds: c.Clock.Now().Sub(b.started).Seconds()}
	if c.Engine == EnginePostgres {
		st.Database = c.Schema
	}
	if why := b.waitWhy.Load().(string); why != "" {
		st.Throttled, st.ThrottleReason = true, why
	}
	p := b.running.Load()
	if p == nil {
		return st
	}
	st.RowsCopied, st.RowsChanged, st.ChunkSize = p.copier.Covered(), p.copier.Copied(), p.copier.ChunkSize()
	st.ChunkMS, st.BusyChunks = p.copier.LastChunkTime().Milliseconds(), p.copier.Busy()
	if took := c.Clock.Now().Sub(p.began).Seconds(); took > 0 {
		st.RowsPerSecond = float64(p.copier.Covered()) / took
	}
	if b.resumed != nil {
		st.RowsCopied += b.resumed.Covered
		st.RowsChanged += b.resumed.Changed
	}
	st.ReplicaLagMS = p.throttle.ReplicaLag().Milliseconds()
	if !st.Throttled {
		st.Throttled, st.ThrottleReason = p.throttle.Throttled()
	}
	switch {
	case p.copier.Done():
		st.Progress, st.ETASeconds = 100, 0
	case estimate > 0:
		st.Progress = min(100, 100*float64(st.RowsCopied)/float64(estimate))
		st.ETASeconds, st.ETAReason = p.eta.Next(c.Clock.Now(), float64(estimate-st.RowsCopied), st.RowsPerSecond,
			func() string { return job.SlowerBecause(st) })
	}
	return st
}

// Unpostpone has nothing to release: a backfill has no cut-over.
func (b *Backfill) Unpostpone() error {
	return errors.New("a backfill has no cut-over to release")
}

// hookEnv is the backfill's state under the variable names hooks know.
func (b *Backfill) hookEnv() map[string]string {
	st := b.Status()
	return map[string]string{
		"DATABASE_NAME": st.Database, "TABLE_NAME": b.cfg.Table, "BACKFILL": b.statement(),
		"ELAPSED_SECONDS": strconv.Itoa(int(st.ElapsedSeconds)), "ESTIMATED_ROWS": strconv.FormatInt(st.RowsEstimated, 10),
		"COPIED_ROWS": strconv.FormatInt(st.RowsCopied, 10), "CHANGED_ROWS": strconv.FormatInt(st.RowsChanged, 10),
		"PROGRESS": fmt.Sprintf("%.1f", st.Progress), "ETA_SECONDS": fmt.Sprintf("%.0f", st.ETASeconds),
		"INSPECTED_LAG": fmt.Sprintf("%.3f", float64(st.ReplicaLagMS)/1000), "EXECUTING_HOST": b.cfg.Conn.Host,
		"DRY_RUN": strconv.FormatBool(!b.cfg.Execute), "STATE": st.State,
	}
}

// progress logs the status every 5 s and runs the on-status hook every
// --hooks-status-interval.
func (b *Backfill) progress() job.Task {
	return job.Progress{Status: b.Status, Tick: time.Second,
		LogEvery: func(control.Status) time.Duration { return 5 * time.Second }, Log: b.logStatus}.Task(b.Runner)
}

func (b *Backfill) logStatus(st control.Status) {
	b.cfg.Log.Info().Str("state", st.State).Int64("covered", st.RowsCopied).Int64("changed", st.RowsChanged).
		Int64("estimated", st.RowsEstimated).Float64("progress_pct", st.Progress).Float64("eta_s", st.ETASeconds).
		Str("throttle", st.ThrottleReason).Msg("progress")
}
