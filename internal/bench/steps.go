package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"
)

// Tools of a step.
const (
	toolBlocking = "blocking ALTER"
	toolHotswap  = "hotswap"
	toolPTOSC    = "pt-online-schema-change"
)

// stepResult is one measured step: one tool's ALTER of a fresh copy of the
// sysbench table, idle or under the sysbench load.
type stepResult struct {
	Tool         string        `json:"tool"`
	Load         bool          `json:"under_load"`
	Command      string        `json:"command"` // as printed: no password
	Skipped      string        `json:"skipped,omitempty"`
	Error        string        `json:"error,omitempty"`
	ResetSeconds float64       `json:"table_copy_seconds"`
	Seconds      float64       `json:"seconds"`
	Ratio        float64       `json:"ratio_to_blocking"` // to the blocking ALTER of the same condition
	RatioTarget  float64       `json:"ratio_target,omitempty"`
	RatioOK      bool          `json:"ratio_ok,omitempty"`
	Writers      *writersStats `json:"writers,omitempty"` // under load
	Hotswap      *hotswapStats `json:"hotswap,omitempty"`
	Revert       *revertStats  `json:"revert,omitempty"` // the revert window step
}

func (s *stepResult) title() string {
	if s.Load {
		return "under load: " + s.Tool
	}
	return "idle: " + s.Tool
}

// hotswapStats are hotswap's own figures in a step.
type hotswapStats struct {
	PeakRSSKB int64         `json:"peak_rss_kb"`
	PeakRSSMB float64       `json:"peak_rss_mb"`
	RSSOK     bool          `json:"rss_ok"`
	Progress  progressStats `json:"progress"`
	StallOK   bool          `json:"stall_ok"`
	ETAOK     bool          `json:"eta_ok"`
	Log       hotswapLog    `json:"log"`
}

// plan lists the steps: idle, then under the load; each the blocking ALTER
// (the reference), hotswap, and on MariaDB pt-online-schema-change.
func plan(c config, e engine) []*stepResult {
	var steps []*stepResult
	for _, load := range []bool{false, true} {
		if (!load && c.SkipIdle) || (load && c.SkipLoad) {
			continue
		}
		steps = append(steps, &stepResult{Tool: toolBlocking, Load: load}, &stepResult{Tool: toolHotswap, Load: load})
		if e.name() == "mysql" {
			steps = append(steps, &stepResult{Tool: toolPTOSC, Load: load, Skipped: ptoscNote(c, e)})
		}
		if load && !c.SkipRevert {
			steps = append(steps, &stepResult{Tool: toolRevert, Load: load})
		}
	}
	return steps
}

// runStep copies the pristine rows into sbtest1, starts the load if the step
// is under load (and lets it run c.Warmup seconds), runs the tool to its end,
// keeps the load on for drainMargin and stops it.
func runStep(ctx context.Context, e engine, c config, dir, conf string, s *stepResult) (err error) {
	table := sysbenchTable
	step("%s %s: copying the prepared rows into %s", e.label(), s.title(), table)
	t := time.Now()
	if err := e.reset(ctx, table); err != nil {
		return fmt.Errorf("copy the table: %w", err)
	}
	s.ResetSeconds = time.Since(t).Seconds()
	fmt.Printf("    copied in %s\n", since(t))

	var load *sysbenchLoad
	if s.Load {
		step("%s %s: sysbench oltp_write_only --rate=%d --threads=%d --report-interval=1 run, %d s before the step",
			e.label(), s.title(), c.LoadRate, c.LoadThreads, c.Warmup)
		load, err = startSysbench(ctx, c, conf, filepath.Join(dir, fmt.Sprintf("%s-sysbench-%s.log", e.name(), fileTool(s.Tool))))
		if err != nil {
			return err
		}
		defer load.stop() // every exit path; a no-op once stopped
		if !sleep(ctx, time.Duration(c.Warmup)*time.Second) {
			return ctx.Err()
		}
		if load.exitedEarly() {
			return fmt.Errorf("sysbench exited before the step:\n%s", logTail(load.ch.logPath, 15))
		}
	}

	name := fmt.Sprintf("%s-%s-%s", e.name(), map[bool]string{false: "idle", true: "load"}[s.Load], fileTool(s.Tool))
	start := time.Now()
	var took time.Duration
	var toolErr error // the tool failed, but the step's figures are kept (pt-osc)
	switch s.Tool {
	case toolBlocking:
		s.Command = e.blocking(table)
		step("%s %s: %s", e.label(), s.title(), s.Command)
		if _, err := e.pool().ExecContext(ctx, s.Command); err != nil {
			return err
		}
		took = time.Since(start)
	case toolHotswap:
		took, err = runHotswapStep(ctx, e, c, dir, table, name, s)
		if err != nil {
			return err
		}
	case toolRevert:
		if took, err = runRevertStep(ctx, e, c, dir, table, name, s); err != nil {
			return err
		}
	case toolPTOSC:
		args, shown, err := ptoscCommand(c, e, dir, table)
		if err != nil {
			return err
		}
		s.Command = shown
		step("%s %s: %s", e.label(), s.title(), shown)
		start = time.Now()
		var ch *child
		ch, toolErr = runPTOSC(ctx, c, args, filepath.Join(dir, name+".log"))
		if ch == nil {
			return toolErr
		}
		took = ch.took() // failed or not: the writers' figures are measured all the same
	}
	end := time.Now()
	s.Seconds = took.Seconds()
	fmt.Printf("    took %s\n", took.Round(10*time.Millisecond))
	if load != nil {
		if !sleep(ctx, drainMargin) {
			return ctx.Err()
		}
		reports, queueMax, fatal, early := load.stop()
		s.Writers = writersDuring(c, reports, queueMax, fatal, early, start, end, drainMargin)
		w := s.Writers
		fmt.Printf("    writers: worst 1 s p95 %.1f ms (before the step %.1f ms), %.0f tx/s, %d app errors\n",
			w.P95MS, w.BaseP95MS, w.TPS, w.Errors)
		for _, f := range w.Fatal {
			fmt.Println("    sysbench:", f)
		}
	}
	return toolErr
}

// runHotswapStep runs hotswap with its control socket polled for
// status-json, and keeps its figures in s.
func runHotswapStep(ctx context.Context, e engine, c config, dir, table, name string, s *stepResult) (time.Duration, error) {
	socket := filepath.Join(dir, name+".sock")
	s.Command = fmt.Sprintf("hotswap alter --table %s --alter %q --threads %d --execute", table, e.alter(), c.Threads)
	step("%s %s: %s", e.label(), s.title(), s.Command)
	ch, err := startHotswap(ctx, e, c, table, filepath.Join(dir, name+".log"), socket)
	if err != nil {
		return 0, err
	}
	samples, failures := pollStatus(ctx, socket, ch, statusInterval)
	err = ch.wait()
	h := &hotswapStats{Log: readHotswapLog(ch.logPath), Progress: analyzeProgress(samples, failures)}
	s.Hotswap = h
	printText(h.Log)
	if err != nil {
		return 0, err
	}
	h.PeakRSSKB = ch.rssKB()
	h.PeakRSSMB = float64(h.PeakRSSKB) / 1024
	p := h.Progress
	fmt.Printf("    peak RSS %.0f MB; copy: longest stall %.1f s, ETA rose %d times; max stream lag %d ms\n",
		h.PeakRSSMB, p.LongestStallSec, p.ETARises, p.MaxStreamLagMS)
	return ch.took(), nil
}

func fileTool(tool string) string {
	switch tool {
	case toolBlocking:
		return "blocking"
	case toolPTOSC:
		return "ptosc"
	case toolRevert:
		return "revert"
	}
	return tool
}

// printText prints what hotswap wrote besides its JSON log lines, and its
// warnings.
func printText(l hotswapLog) {
	for _, line := range l.Text {
		fmt.Println("    hotswap:", line)
	}
	for _, w := range l.Warnings {
		fmt.Println("    hotswap", w)
	}
}

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
