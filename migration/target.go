package migration

import (
	"time"

	"github.com/hotswap/hotswap/control"
	"github.com/hotswap/hotswap/job"
)

var _ control.Target = (*Migration)(nil)

// Status is the run as the control socket, the progress line and the hooks report it.
func (m *Migration) Status() control.Status {
	st := control.Status{State: m.State(), Server: m.cfg.Conn.Addr(), Database: m.cfg.Conn.Database, Table: m.cfg.Table, Shadow: m.shadow,
		RowsEstimated: m.estimate.Load(), ETASeconds: -1,
		ElapsedSeconds: time.Since(m.started).Seconds(), Postponed: m.State() == StatePostponed,
		CutOverAttempts: int(m.cutOvers.Load()), LastCutOverMS: time.Duration(m.lastCutOver.Load()).Milliseconds()}
	if w := m.win.Load(); w != nil {
		st.RevertRows = w.applier.Applied()
		st.RevertLeftSeconds = max(0, time.Until(w.until).Seconds())
		st.ReverseLagMS = w.rev.StreamLag().Milliseconds()
		st.ReverseBacklog = w.applier.Backlog()
	}
	p := m.parts()
	if p == nil {
		return st
	}
	st.RowsCopied, st.ChunkSize, st.RowsPerSecond = p.copier.Copied(), p.copier.ChunkSize(), copyRate(p)
	if m.resumed != nil { // what the earlier runs copied counts toward the estimate
		st.RowsCopied += m.resumed.Copied
	}
	st.Backlog = p.applier.Backlog()
	st.StreamLagMS = m.streamLag().Milliseconds()
	st.ReplicaLagMS = p.throttler.ReplicaLag().Milliseconds()
	st.Throttled, st.ThrottleReason = p.throttler.Throttled()
	st.ChunkMS, st.BusyChunks = p.copier.LastChunkTime().Milliseconds(), p.copier.Busy()
	st.ChecksumChunks, st.ChecksumDiffering = m.checksummed.Load(), int(m.differing.Load())
	st.Progress, st.ETASeconds, st.ETAReason = m.progressAndETA(p, st)
	return st
}

// progressAndETA estimates from the copy's own average rate (also set in
// st), through the run's job.ETA; once the copy is done it is 100% and the
// ETA is 0 (what remains is short).
func (m *Migration) progressAndETA(p *parts, st control.Status) (float64, float64, string) {
	if p.copier.Done() {
		return 100, 0, ""
	}
	if st.RowsEstimated <= 0 {
		return 0, -1, ""
	}
	pct := min(100, 100*float64(st.RowsCopied)/float64(st.RowsEstimated))
	rate := copyRate(p)
	eta, why := p.eta.Next(time.Now(), float64(st.RowsEstimated-st.RowsCopied), rate, func() string { return job.SlowerBecause(st) })
	return pct, eta, why
}

// copyRate is the rows per second this process copied since its copy began.
func copyRate(p *parts) float64 {
	took := time.Since(time.Unix(0, p.copyStart.Load())).Seconds()
	if p.copyStart.Load() == 0 || took <= 0 {
		return 0
	}
	return float64(p.copier.Copied()) / took
}

// Unpostpone releases a postponed cut-over, even while the flag file exists.
func (m *Migration) Unpostpone() error {
	m.unpostponed.Store(true)
	return nil
}
