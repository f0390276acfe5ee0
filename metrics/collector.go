package metrics

import (
	"github.com/hotswap/hotswap/control"
	"github.com/prometheus/client_golang/prometheus"
)

// labels of every table metric: a run of several tables reports each; a
// command migrating several servers at once tells them apart by server.
var labels = []string{"server", "database", "table"}

func desc(name, help string, extra ...string) *prometheus.Desc {
	return prometheus.NewDesc("hotswap_"+name, help, append(append([]string{}, labels...), extra...), nil)
}

var (
	stateDesc     = desc("state", "1 for the run's current state (preflight, copying, applying, postponed, verifying, cutting-over, revertible, done, failed...).", "state")
	copiedDesc    = desc("rows_copied_total", "Rows copied into the new table (a backfill: rows its chunks spanned).")
	changedDesc   = desc("rows_changed_total", "Rows a backfill changed.")
	estimateDesc  = desc("rows_estimated", "The server's estimate of the table's rows.")
	progressDesc  = desc("progress_ratio", "Share of the copy done, 0 to 1.")
	chunkDesc     = desc("chunk_size_rows", "Rows per copy chunk now.")
	chunkTimeDesc = desc("chunk_duration_seconds", "How long the last copy chunk took.")
	rateDesc      = desc("copy_rate_rows_per_second", "The copy's average rate since this process began copying.")
	busyDesc      = desc("busy_chunks_total", "Chunk attempts that found rows the application held locked and waited.")
	checkedDesc   = desc("checksum_chunks_total", "Key ranges and batches of keys the checksum compared, early and at the consistent point.")
	differDesc    = desc("checksum_rows_differing", "Rows the last checksum at the consistent point found differing (resynced and compared again; still differing, the run fails before its cut-over).")
	backlogDesc   = desc("backlog_keys", "Changed keys not yet applied to the new table.")
	streamDesc    = desc("stream_lag_seconds", "How far the change stream is behind the server.")
	replicaDesc   = desc("replica_lag_seconds", "Replication lag the throttle last measured.")
	throttledDesc = desc("throttled", "1 while the copy is held, with the reason as a label.", "reason")
	etaDesc       = desc("eta_seconds", "Estimated seconds left in the copy; -1 when unknown.")
	elapsedDesc   = desc("elapsed_seconds", "Seconds since the run started.")
	postponedDesc = desc("cut_over_postponed", "1 while the cut-over waits for its postpone flag file to go.")
	attemptsDesc  = desc("cut_over_attempts_total", "Cut-over attempts so far (a failed one leaves the tables untouched and is retried).")
	lastCutDesc   = desc("last_cut_over_seconds", "How long the last cut-over attempt took: its lock hold, when it swapped the tables.")
)

var descs = []*prometheus.Desc{stateDesc, copiedDesc, changedDesc, estimateDesc, progressDesc, chunkDesc, chunkTimeDesc,
	rateDesc, busyDesc, checkedDesc, differDesc, backlogDesc, streamDesc, replicaDesc, throttledDesc, etaDesc, elapsedDesc,
	postponedDesc, attemptsDesc, lastCutDesc}

// runCollector reads the runs' statuses at each scrape.
type runCollector struct{ statuses func() []control.Status }

func (c *runCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range descs {
		ch <- d
	}
}

// Collect sends each table's metrics once: the newest run of a table wins
// (a migrate that alters a table twice), as one series may not be sent twice.
func (c *runCollector) Collect(ch chan<- prometheus.Metric) {
	runs := c.statuses()
	seen := map[[3]string]bool{}
	for i := len(runs) - 1; i >= 0; i-- {
		tables := runs[i].Tables
		if len(tables) == 0 {
			tables = []control.Status{runs[i]}
		}
		for _, t := range tables {
			if t.Server == "" {
				t.Server = runs[i].Server
			}
			key := [3]string{t.Server, t.Database, t.Table}
			if !seen[key] {
				seen[key] = true
				collectTable(ch, t)
			}
		}
	}
}

// collectTable sends one table's metrics.
func collectTable(ch chan<- prometheus.Metric, st control.Status) {
	l := []string{st.Server, st.Database, st.Table}
	gauge := func(d *prometheus.Desc, v float64, extra ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, append(append([]string{}, l...), extra...)...)
	}
	ch <- prometheus.MustNewConstMetric(copiedDesc, prometheus.CounterValue, float64(st.RowsCopied), l...)
	ch <- prometheus.MustNewConstMetric(changedDesc, prometheus.CounterValue, float64(st.RowsChanged), l...)
	ch <- prometheus.MustNewConstMetric(busyDesc, prometheus.CounterValue, float64(st.BusyChunks), l...)
	ch <- prometheus.MustNewConstMetric(checkedDesc, prometheus.CounterValue, float64(st.ChecksumChunks), l...)
	gauge(differDesc, float64(st.ChecksumDiffering))
	gauge(chunkTimeDesc, float64(st.ChunkMS)/1000)
	gauge(rateDesc, st.RowsPerSecond)
	gauge(stateDesc, 1, st.State)
	gauge(estimateDesc, float64(st.RowsEstimated))
	gauge(progressDesc, st.Progress/100)
	gauge(chunkDesc, float64(st.ChunkSize))
	gauge(backlogDesc, float64(st.Backlog))
	gauge(streamDesc, float64(st.StreamLagMS)/1000)
	gauge(replicaDesc, float64(st.ReplicaLagMS)/1000)
	gauge(throttledDesc, boolValue(st.Throttled), st.ThrottleReason)
	gauge(etaDesc, st.ETASeconds)
	gauge(elapsedDesc, st.ElapsedSeconds)
	gauge(postponedDesc, boolValue(st.Postponed))
	ch <- prometheus.MustNewConstMetric(attemptsDesc, prometheus.CounterValue, float64(st.CutOverAttempts), l...)
	gauge(lastCutDesc, float64(st.LastCutOverMS)/1000)
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
