package main

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"time"
)

// loadTable is the under-load part's table, loaded fresh after the idle
// part's tables are dropped.
const loadTable = "sbtest3"

// loadResult is the under-load part. Times (at_s, from_s, to_s) are seconds
// since hotswap started; latencies are milliseconds.
type loadResult struct {
	Table          string  `json:"table"`
	HotswapAlter   string  `json:"hotswap_alter"`
	RateTarget     int     `json:"load_rate_tx_s"`
	Threads        int     `json:"load_threads"`
	HotswapSeconds float64 `json:"hotswap_seconds"`
	PeakRSSKB      int64   `json:"hotswap_peak_rss_kb"`
	PeakRSSMB      float64 `json:"hotswap_peak_rss_mb"`
	RSSOK          bool    `json:"rss_ok"`

	Writes            int            `json:"writes"` // the whole load, warm-up and tail included
	HotswapWrites     int            `json:"writes_during_hotswap"`
	HotswapRate       float64        `json:"rate_during_hotswap_tx_s"`
	Errors            int64          `json:"errors"`
	ErrorsOK          bool           `json:"errors_ok"`
	ErrorTexts        []string       `json:"first_errors,omitempty"`
	Baseline          latencySummary `json:"baseline_latency_ms"` // before hotswap started
	DuringHotswap     latencySummary `json:"hotswap_latency_ms"`  // writes started while it ran
	MaxStreamLagMS    int64          `json:"max_stream_lag_ms"`
	LagOK             bool           `json:"stream_lag_ok"`
	MaxBacklog        int            `json:"max_backlog"`
	StatusPolls       int            `json:"status_polls"`
	StatusPollFailure int            `json:"status_poll_failures"` // before the socket was up, mostly
	States            []stateChange  `json:"states"`

	// CutOver is from the first status that says cutting-over (or, if no
	// poll caught it, the last one before the exit) minus 1 s to the exit
	// plus 1 s; its worst write latency is the cut-over write stall.
	CutOver  windowStats  `json:"cut_over"`
	StallOK  bool         `json:"cut_over_stall_ok"`
	Checksum *windowStats `json:"checksum,omitempty"` // verifying, before the cut-over (LOCK held briefly)
	Log      hotswapLog   `json:"hotswap_log"`
}

type latencySummary struct {
	Count int     `json:"count"`
	P50   float64 `json:"p50"`
	P99   float64 `json:"p99"`
	P999  float64 `json:"p999"`
	Max   float64 `json:"max"`
}

type stateChange struct {
	State string  `json:"state"`
	At    float64 `json:"at_s"`
}

type windowStats struct {
	Observed     bool    `json:"observed"` // the status poll saw the state
	From         float64 `json:"from_s"`
	To           float64 `json:"to_s"`
	Writes       int     `json:"writes"` // writes running at some time in the window
	Errors       int     `json:"errors"`
	MaxLatencyMS float64 `json:"max_write_latency_ms"`
	// MaxBehindMS is the worst end - due: the stall as the application's
	// queue saw it, including writes that waited for a free connection.
	MaxBehindMS float64 `json:"max_behind_schedule_ms"`
}

func runUnderLoad(ctx context.Context, e engine, c config, dir string) (*loadResult, error) {
	if err := e.drop(ctx, idleTables...); err != nil {
		return nil, fmt.Errorf("drop the idle part's tables: %w", err)
	}
	step("%s under load: loading %s, %d rows", e.label(), loadTable, c.Rows)
	if err := loadTables(ctx, e, c.Rows, loadTable); err != nil {
		return nil, err
	}
	r := &loadResult{Table: loadTable, HotswapAlter: e.alter(), RateTarget: c.LoadRate, Threads: c.LoadThreads}
	step("%s under load: %d tx/s of updates, deletes and inserts from %d connections; %d s of baseline",
		e.label(), c.LoadRate, c.LoadThreads, c.Warmup)
	l := startLoad(ctx, e.pool(), e.writes(loadTable), c.Rows, c.LoadRate, c.LoadThreads)
	defer l.stop()
	if !sleep(ctx, time.Duration(c.Warmup)*time.Second) {
		return nil, ctx.Err()
	}
	socket := filepath.Join(dir, e.name()+".sock")
	step("%s under load: hotswap alter --table %s --alter %q --serve-socket-file %s --execute",
		e.label(), loadTable, e.alter(), socket)
	ch, err := startHotswap(ctx, e, c, loadTable, filepath.Join(dir, e.name()+"-load.log"), "--serve-socket-file", socket)
	if err != nil {
		return nil, err
	}
	samples, failures := pollStatus(ctx, socket, ch, statusInterval)
	err = ch.wait()
	r.Log = readHotswapLog(ch.logPath)
	printText(r.Log)
	if err != nil {
		return nil, err
	}
	fmt.Printf("    took %s; keeping the load on for %s more\n", ch.took().Round(10*time.Millisecond), cutOverMargin)
	if !sleep(ctx, cutOverMargin+100*time.Millisecond) {
		return nil, ctx.Err()
	}
	writes, errCount, errTexts := l.stop()
	off := ch.started.Sub(l.base) // hotswap's start on the load's clock
	end := ch.exited.Sub(l.base)

	r.HotswapSeconds = ch.took().Seconds()
	r.PeakRSSKB = ch.rssKB()
	r.PeakRSSMB = float64(r.PeakRSSKB) / 1024
	r.Writes, r.Errors, r.ErrorTexts = len(writes), errCount, errTexts
	r.Baseline = summarize(writes, 0, off)
	r.DuringHotswap = summarize(writes, off, end)
	r.HotswapWrites = r.DuringHotswap.Count
	r.HotswapRate = float64(r.HotswapWrites) / ch.took().Seconds()
	r.StatusPolls, r.StatusPollFailure = len(samples), failures
	for _, s := range samples {
		r.MaxStreamLagMS = max(r.MaxStreamLagMS, s.StreamLagMS)
		r.MaxBacklog = max(r.MaxBacklog, s.Backlog)
		if len(r.States) == 0 || r.States[len(r.States)-1].State != s.State {
			r.States = append(r.States, stateChange{State: s.State, At: s.At})
		}
	}

	// The cut-over window, on hotswap's clock.
	took := ch.took().Seconds()
	cutAt, observed := firstState(samples, "cutting-over")
	if !observed {
		cutAt = 0 // no poll at all: the whole run
		for _, s := range samples {
			if s.State != "done" && s.State != "failed" {
				cutAt = s.At
			}
		}
	}
	margin := cutOverMargin.Seconds()
	r.CutOver = window(writes, off, cutAt-margin, took+margin)
	r.CutOver.Observed = observed
	if verifyAt, ok := firstState(samples, "verifying"); ok {
		to := took
		if observed {
			to = cutAt
		}
		w := window(writes, off, verifyAt, to)
		w.Observed = true
		r.Checksum = &w
	}
	return r, nil
}

// firstState is the time of the first sample in state.
func firstState(samples []statusSample, state string) (float64, bool) {
	for _, s := range samples {
		if s.State == state {
			return s.At, true
		}
	}
	return 0, false
}

// window measures the writes running at some time between from and to
// (seconds on hotswap's clock, which starts at off on the load's).
func window(writes []write, off time.Duration, from, to float64) windowStats {
	w := windowStats{From: from, To: to}
	lo := off + time.Duration(from*float64(time.Second))
	hi := off + time.Duration(to*float64(time.Second))
	for _, x := range writes {
		if x.start > hi || x.end < lo {
			continue
		}
		w.Writes++
		if x.failed {
			w.Errors++
		}
		w.MaxLatencyMS = max(w.MaxLatencyMS, ms(x.latency()))
		w.MaxBehindMS = max(w.MaxBehindMS, ms(x.delay()))
	}
	return w
}

// summarize is the latency distribution of the writes started in [from, to)
// on the load's clock.
func summarize(writes []write, from, to time.Duration) latencySummary {
	var lat []time.Duration
	for _, x := range writes {
		if x.start >= from && x.start < to {
			lat = append(lat, x.latency())
		}
	}
	if len(lat) == 0 {
		return latencySummary{}
	}
	slices.Sort(lat)
	q := func(p float64) float64 { return ms(lat[min(len(lat)-1, int(p*float64(len(lat))))]) }
	return latencySummary{Count: len(lat), P50: q(0.50), P99: q(0.99), P999: q(0.999), Max: ms(lat[len(lat)-1])}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// sleep waits d unless ctx ends first; it reports whether it slept.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
