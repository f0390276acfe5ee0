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
	Engine    string        `json:"engine"`
	Server    string        `json:"server_version"`
	Rows      int           `json:"rows"`
	Alter     string        `json:"alter"`
	StartedAt time.Time     `json:"started_at"`
	Finished  time.Time     `json:"finished_at"`
	Machine   machine       `json:"machine"`
	Config    config        `json:"config"`
	Targets   targets       `json:"targets"`
	Steps     []*stepResult `json:"steps"`
}

type machine struct {
	CPUs      int    `json:"cpus"` // runtime.NumCPU
	OS        string `json:"goos"`
	Arch      string `json:"goarch"`
	GoVersion string `json:"go_version"`
	Hostname  string `json:"hostname"`
}

// targets are issue 13's goals for this engine, all for hotswap.
type targets struct {
	IdleRatio float64 `json:"idle_ratio_max"`
	LoadRatio float64 `json:"load_ratio_max"`
	P95MS     float64 `json:"writers_p95_ms_below"`
	Errors    int     `json:"app_errors"`
	RSSMB     float64 `json:"peak_rss_mb_below"`
	StallSec  float64 `json:"copy_stall_seconds_max"`
	ETARises  int     `json:"eta_rises"`
}

// check computes the ratios and says which of hotswap's figures meet the
// targets.
func (r *result) check() {
	e := newEngine(r.Engine, r.Config)
	r.Targets = targets{IdleRatio: e.idleTarget(), LoadRatio: e.loadTarget(), P95MS: targetP95MS, Errors: targetErrors,
		RSSMB: targetRSSMB, StallSec: targetStallSec}
	for _, s := range r.Steps {
		if b := r.find(toolBlocking, s.Load); b != nil && b.ok() && s.ok() && s.Tool != toolRevert { // its time holds the window
			s.Ratio = s.Seconds / b.Seconds
		}
		if w := s.Writers; w != nil {
			w.P95OK = w.P95MS < r.Targets.P95MS
			w.ErrorsOK = w.Errors <= int64(r.Targets.Errors)
		}
		if h := s.Hotswap; h != nil {
			s.RatioTarget = r.Targets.IdleRatio
			if s.Load {
				s.RatioTarget = r.Targets.LoadRatio
			}
			s.RatioOK = s.Ratio > 0 && s.Ratio <= s.RatioTarget
			h.RSSOK = h.PeakRSSMB < r.Targets.RSSMB
			h.StallOK = h.Progress.LongestStallSec <= r.Targets.StallSec
			h.ETAOK = h.Progress.ETARises <= r.Targets.ETARises
		}
	}
}

func (r *result) find(tool string, load bool) *stepResult {
	for _, s := range r.Steps {
		if s.Tool == tool && s.Load == load {
			return s
		}
	}
	return nil
}

func (s *stepResult) ok() bool { return s.Skipped == "" && s.Error == "" && s.Seconds > 0 }

func mark(ok bool) string {
	if ok {
		return "ok"
	}
	return "**MISSED**"
}

// printTable prints one engine's figures with the targets next to them: the
// steps, then hotswap's own figures.
func printTable(r *result) {
	e := newEngine(r.Engine, r.Config)
	c := r.Config
	fmt.Printf("\n%s %s, %d rows (sysbench oltp_read_write prepare), %d CPUs, %s/%s; ALTER: %s\n",
		e.label(), r.Server, r.Rows, r.Machine.CPUs, r.Machine.OS, r.Machine.Arch, r.Alter)
	fmt.Printf("load: sysbench oltp_write_only --rate=%d --threads=%d; hotswap --threads %d, chunk size %s, checksum %s\n\n",
		c.LoadRate, c.LoadThreads, c.Threads, map[bool]string{true: fmt.Sprint(c.ChunkSize), false: "by --chunk-time"}[c.ChunkSize > 0],
		map[bool]string{true: "skipped", false: "on"}[c.SkipChecksum])
	if c.MySQLSet != "" && e.name() == "mysql" {
		fmt.Printf("server settings: SET GLOBAL %s\n\n", c.MySQLSet)
	}
	if c.HotswapFlags != "" {
		fmt.Printf("hotswap's extra flags: %s\n\n", c.HotswapFlags)
	}
	fmt.Println("| step | time | ratio to blocking (target) | writers' worst 1 s p95 (target) | app errors (target) |")
	fmt.Println("|---|---|---|---|---|")
	for _, s := range r.Steps {
		cond := "idle"
		if s.Load {
			cond = fmt.Sprintf("%d tx/s", c.LoadRate)
		}
		name := cond + ": " + s.Tool
		if s.Tool == toolBlocking {
			name += map[string]string{"mysql": " (ALGORITHM=COPY)", "postgres": " (rewrite)"}[r.Engine]
		}
		switch {
		case s.Skipped != "":
			fmt.Printf("| %s | %s | | | |\n", name, s.Skipped)
			continue
		case s.Error != "" && s.Writers == nil:
			fmt.Printf("| %s | failed: %s | | | |\n", name, firstLine(s.Error))
			continue
		}
		ratio := ""
		if s.Ratio > 0 {
			ratio = fmt.Sprintf("%.2fx", s.Ratio)
		}
		if s.RatioTarget > 0 {
			ratio += fmt.Sprintf(" (≤ %.1fx: %s)", s.RatioTarget, mark(s.RatioOK))
		}
		p95, errs := "–", "–"
		if w := s.Writers; w != nil {
			p95 = fmt.Sprintf("%.0f ms (before: %.0f ms)", w.P95MS, w.BaseP95MS)
			errs = fmt.Sprint(w.Errors)
			if s.Tool == toolHotswap {
				p95 += fmt.Sprintf(" (< %.0f ms: %s)", float64(targetP95MS), mark(w.P95OK))
				errs += fmt.Sprintf(" (%d: %s)", targetErrors, mark(w.ErrorsOK))
			}
			if w.Died {
				errs += " (sysbench died)"
			}
		}
		took := fmt.Sprintf("%.2f s", s.Seconds)
		if s.Error != "" {
			took = fmt.Sprintf("failed after %.2f s: %s", s.Seconds, firstLine(s.Error))
		}
		fmt.Printf("| %s | %s | %s | %s | %s |\n", name, took, ratio, p95, errs)
	}
	printHotswapTable(r)
	printRevert(r)
	for _, s := range r.Steps {
		if s.Error != "" && s.Tool != toolPTOSC {
			fmt.Printf("    FAILED %s: %s\n", s.title(), firstLine(s.Error))
		}
	}
}

// printHotswapTable prints hotswap's own figures, idle and under load.
func printHotswapTable(r *result) {
	idle, load := r.find(toolHotswap, false), r.find(toolHotswap, true)
	hs := []*hotswapStats{nil, nil}
	for i, s := range []*stepResult{idle, load} {
		if s != nil && s.ok() {
			hs[i] = s.Hotswap
		}
	}
	if hs[0] == nil && hs[1] == nil {
		return
	}
	fmt.Println("\n| hotswap | idle | under load | target |")
	fmt.Println("|---|---|---|---|")
	row := func(name, target string, f func(h *hotswapStats) (string, bool)) {
		cells := []string{"", ""}
		ok := true
		for i, h := range hs {
			if h != nil {
				var cellOK bool
				cells[i], cellOK = f(h)
				ok = ok && cellOK
			}
		}
		if target != "" {
			target += ": " + mark(ok)
		}
		fmt.Printf("| %s | %s | %s | %s |\n", name, cells[0], cells[1], target)
	}
	row("peak RSS", fmt.Sprintf("< %d MB", targetRSSMB), func(h *hotswapStats) (string, bool) {
		return fmt.Sprintf("%.0f MB", h.PeakRSSMB), h.RSSOK
	})
	row("longest copy stall (rows_copied still)", fmt.Sprintf("≤ %.0f s", targetStallSec), func(h *hotswapStats) (string, bool) {
		p := h.Progress
		if p.LongestStallSec == 0 {
			return "0 s", h.StallOK
		}
		return fmt.Sprintf("%.1f s at %d rows", p.LongestStallSec, p.StallAtRows), h.StallOK
	})
	row(fmt.Sprintf("ETA rises while rows remain (> %.0f s)", etaRiseTolerance), "none", func(h *hotswapStats) (string, bool) {
		p := h.Progress
		if p.ETARises == 0 {
			return "0", h.ETAOK
		}
		return fmt.Sprintf("%d (up to +%.1f s)", p.ETARises, p.ETAMaxRiseSec), h.ETAOK
	})
	row("copy (status polls in state copying)", "", func(h *hotswapStats) (string, bool) {
		return fmt.Sprintf("%.1f s", h.Progress.CopyingSeconds), true
	})
	row("deferred index build (hotswap's log)", "", func(h *hotswapStats) (string, bool) {
		return fmt.Sprintf("%.1f s", h.Log.IndexBuildMS/1000), true
	})
	row("checksum at the point (hotswap's log)", "", func(h *hotswapStats) (string, bool) {
		return fmt.Sprintf("%.2f s", h.Log.ChecksumMS/1000), true
	})
	row("rows compared early / keys left to the point", "", func(h *hotswapStats) (string, bool) {
		end := ""
		if h.Log.EarlyToTheEnd {
			end = " (to the end)"
		}
		return fmt.Sprintf("%d%s / %d", h.Log.EarlyRows, end, h.Log.PointKeys), true
	})
	row("max stream lag / max backlog", "", func(h *hotswapStats) (string, bool) {
		return fmt.Sprintf("%d ms / %d keys", h.Progress.MaxStreamLagMS, h.Progress.MaxBacklog), true
	})
	row("cut-over lock held (hotswap's log)", "", func(h *hotswapStats) (string, bool) {
		return fmt.Sprintf("%.0f ms, attempt %d", h.Log.CutOverHeldMS, h.Log.CutOverAttempts), true
	})
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

// printRevert prints the revert window step's figures.
func printRevert(r *result) {
	s := r.find(toolRevert, true)
	if s == nil || s.Revert == nil {
		return
	}
	v := s.Revert
	fmt.Println("\n| revert window under load | reverse lag p95 / max | keys sent back | revert (catch-up and swap back) | its lock held |")
	fmt.Println("|---|---|---|---|---|")
	fmt.Printf("| %s | %d / %d ms | %d | %.2f s | %.0f ms |\n", revertHold, v.ReverseLagP95MS, v.ReverseLagMaxMS, v.KeysSentBack, v.RevertSeconds, v.RevertHeldMS)
}
