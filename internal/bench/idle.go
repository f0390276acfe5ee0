package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"
)

// idleTables are the idle part's tables and what hotswap leaves of sbtest1.
var idleTables = []string{"sbtest1", "sbtest2", "_sbtest1_old", "_sbtest1_new", "_sbtest1_hb"}

// idleResult is the idle part: the blocking ALTER on sbtest2 and hotswap on
// its twin sbtest1, one after the other, nothing else running.
type idleResult struct {
	BlockingSQL        string     `json:"blocking_sql"`
	HotswapAlter       string     `json:"hotswap_alter"`
	BlockingSeconds    float64    `json:"blocking_seconds"`
	HotswapSeconds     float64    `json:"hotswap_seconds"`
	Ratio              float64    `json:"ratio"` // hotswap / blocking
	RatioTarget        float64    `json:"ratio_target"`
	RatioOK            bool       `json:"ratio_ok"`
	HotswapRowsPerSec  float64    `json:"hotswap_rows_per_second"`
	BlockingRowsPerSec float64    `json:"blocking_rows_per_second"`
	PeakRSSKB          int64      `json:"hotswap_peak_rss_kb"`
	PeakRSSMB          float64    `json:"hotswap_peak_rss_mb"`
	RSSOK              bool       `json:"rss_ok"`
	Log                hotswapLog `json:"hotswap_log"`
}

func runIdle(ctx context.Context, e engine, c config, dir string) (*idleResult, error) {
	step("%s idle: loading sbtest1 and its twin sbtest2, %d rows each", e.label(), c.Rows)
	if err := loadTables(ctx, e, c.Rows, "sbtest1", "sbtest2"); err != nil {
		return nil, err
	}
	r := &idleResult{BlockingSQL: e.blocking("sbtest2"), HotswapAlter: e.alter()}
	step("%s idle: %s", e.label(), r.BlockingSQL)
	t0 := time.Now()
	if _, err := e.pool().ExecContext(ctx, r.BlockingSQL); err != nil {
		return nil, fmt.Errorf("blocking ALTER: %w", err)
	}
	blocking := time.Since(t0)
	fmt.Printf("    took %s\n", blocking.Round(10*time.Millisecond))
	step("%s idle: hotswap alter --table sbtest1 --alter %q --execute", e.label(), e.alter())
	ch, err := startHotswap(ctx, e, c, "sbtest1", filepath.Join(dir, e.name()+"-idle.log"))
	if err != nil {
		return nil, err
	}
	err = ch.wait()
	r.Log = readHotswapLog(ch.logPath)
	printText(r.Log)
	if err != nil {
		return nil, err
	}
	fmt.Printf("    took %s\n", ch.took().Round(10*time.Millisecond))
	r.BlockingSeconds = blocking.Seconds()
	r.HotswapSeconds = ch.took().Seconds()
	r.Ratio = r.HotswapSeconds / r.BlockingSeconds
	r.RatioTarget = e.targetRatio()
	r.HotswapRowsPerSec = float64(c.Rows) / r.HotswapSeconds
	r.BlockingRowsPerSec = float64(c.Rows) / r.BlockingSeconds
	r.PeakRSSKB = ch.rssKB()
	r.PeakRSSMB = float64(r.PeakRSSKB) / 1024
	return r, nil
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
