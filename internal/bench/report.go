package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// result is everything one engine's run measured; it is written as JSON.
type result struct {
	Engine    string      `json:"engine"`
	Server    string      `json:"server_version"`
	Rows      int         `json:"rows"`
	StartedAt time.Time   `json:"started_at"`
	Finished  time.Time   `json:"finished_at"`
	Machine   machine     `json:"machine"`
	Config    config      `json:"config"`
	Targets   targets     `json:"targets"`
	Idle      *idleResult `json:"idle,omitempty"`
	Load      *loadResult `json:"under_load,omitempty"`
	Errors    []string    `json:"errors,omitempty"`
}

type machine struct {
	CPUs      int    `json:"cpus"` // runtime.NumCPU
	OS        string `json:"goos"`
	Arch      string `json:"goarch"`
	GoVersion string `json:"go_version"`
	Hostname  string `json:"hostname"`
}

// targets are the "Speed" issue's goals for this engine.
type targets struct {
	Ratio       float64 `json:"idle_ratio_max"`
	RSSMB       float64 `json:"peak_rss_mb_below"`
	StreamLagMS float64 `json:"stream_lag_ms_below"`
	StallMS     float64 `json:"cut_over_stall_ms_below"`
	Errors      int     `json:"errors"`
}

// check fills the targets and says which figures meet them.
func (r *result) check() {
	r.Targets = targets{Ratio: newEngine(r.Engine).targetRatio(), RSSMB: targetRSSMB,
		StreamLagMS: targetLagMS, StallMS: targetStallMS, Errors: targetErrors}
	if i := r.Idle; i != nil {
		i.RatioTarget = r.Targets.Ratio
		i.RatioOK = i.Ratio <= r.Targets.Ratio
		i.RSSOK = i.PeakRSSMB < r.Targets.RSSMB
	}
	if l := r.Load; l != nil {
		l.RSSOK = l.PeakRSSMB < r.Targets.RSSMB
		l.LagOK = float64(l.MaxStreamLagMS) < r.Targets.StreamLagMS
		l.StallOK = l.CutOver.MaxLatencyMS < r.Targets.StallMS
		l.ErrorsOK = l.Errors <= int64(r.Targets.Errors)
	}
}

func mark(ok bool) string {
	if ok {
		return "ok"
	}
	return "MISSED"
}

// printTable prints one engine's figures with the targets next to them.
func printTable(r *result) {
	label := newEngine(r.Engine).label()
	fmt.Printf("\n%s %s, %d rows, %d CPUs, %s/%s, hotswap --threads %d --chunk-size %d, checksum %s\n\n",
		label, r.Server, r.Rows, r.Machine.CPUs, r.Machine.OS, r.Machine.Arch, r.Config.Threads, r.Config.ChunkSize,
		map[bool]string{true: "skipped", false: "on"}[r.Config.SkipChecksum])
	fmt.Println("| figure | value | target | |")
	fmt.Println("|---|---|---|---|")
	row := func(name, value, target, ok string) { fmt.Printf("| %s | %s | %s | %s |\n", name, value, target, ok) }
	t := r.Targets
	if i := r.Idle; i != nil {
		row("idle: blocking "+blockingKind(r.Engine), fmt.Sprintf("%.2f s", i.BlockingSeconds), "", "")
		row("idle: hotswap", fmt.Sprintf("%.2f s", i.HotswapSeconds), "", "")
		row("idle: ratio hotswap / blocking", fmt.Sprintf("%.2fx", i.Ratio), fmt.Sprintf("≤ %.1f", t.Ratio), mark(i.RatioOK))
		row("idle: hotswap rows/s", fmt.Sprintf("%.0f", i.HotswapRowsPerSec), "", "")
		row("idle: hotswap peak RSS", fmt.Sprintf("%.0f MB", i.PeakRSSMB), fmt.Sprintf("< %.0f MB", t.RSSMB), mark(i.RSSOK))
	}
	if l := r.Load; l != nil {
		row("load: write rate during hotswap", fmt.Sprintf("%.0f tx/s (%d conns)", l.HotswapRate, l.Threads),
			fmt.Sprintf("%d tx/s", l.RateTarget), "")
		row("load: hotswap", fmt.Sprintf("%.2f s", l.HotswapSeconds), "", "")
		row("load: max stream lag", fmt.Sprintf("%d ms", l.MaxStreamLagMS), fmt.Sprintf("< %.0f ms", t.StreamLagMS), mark(l.LagOK))
		row("load: max backlog", fmt.Sprintf("%d keys", l.MaxBacklog), "", "")
		seen := ""
		if !l.CutOver.Observed {
			seen = " (cutting-over not polled: window from the last poll)"
		}
		row("load: cut-over write stall (max latency, cut-over ±1 s)"+seen,
			fmt.Sprintf("%.0f ms (%.0f ms behind schedule)", l.CutOver.MaxLatencyMS, l.CutOver.MaxBehindMS),
			fmt.Sprintf("< %.0f ms", t.StallMS), mark(l.StallOK))
		if l.Log.CutOverAttempts > 0 {
			row("load: cut-over lock held (hotswap's log)", fmt.Sprintf("%.0f ms, attempt %d", l.Log.CutOverHeldMS, l.Log.CutOverAttempts), "", "")
		}
		if c := l.Checksum; c != nil {
			row("load: max write latency while verifying", fmt.Sprintf("%.0f ms", c.MaxLatencyMS), "", "")
		}
		row("load: write errors", fmt.Sprint(l.Errors), fmt.Sprint(t.Errors), mark(l.ErrorsOK))
		d, b := l.DuringHotswap, l.Baseline
		row("load: write latency p50 / p99 / max during hotswap",
			fmt.Sprintf("%.1f / %.1f / %.0f ms", d.P50, d.P99, d.Max), "", "")
		row("load: write latency p50 / p99 / max before", fmt.Sprintf("%.1f / %.1f / %.0f ms", b.P50, b.P99, b.Max), "", "")
		row("load: hotswap peak RSS", fmt.Sprintf("%.0f MB", l.PeakRSSMB), fmt.Sprintf("< %.0f MB", t.RSSMB), mark(l.RSSOK))
		for _, e := range l.ErrorTexts {
			fmt.Println("    write error:", e)
		}
	}
	for _, e := range r.Errors {
		fmt.Println("    FAILED:", firstLine(e))
	}
}

func blockingKind(engine string) string {
	if engine == "postgres" {
		return "ALTER (rewrite)"
	}
	return "ALTER (COPY)"
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// writeJSON writes r to dir/<engine>-<rows>-<UTC timestamp>.json.
func writeJSON(dir string, r *result) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	name := fmt.Sprintf("%s-%d-%s.json", r.Engine, r.Rows, r.StartedAt.UTC().Format("20060102T150405Z"))
	path := filepath.Join(dir, name)
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return "", err
	}
	return path, os.WriteFile(path, append(b, '\n'), 0o644)
}

// progress prints the load's progress every million rows and at the end.
func progress(table string, done, total int) {
	if done == total || done%1_000_000 == 0 {
		fmt.Printf("    %s: %d rows\n", table, done)
	}
}
