// Command bench runs `make bench`: on throwaway MariaDB and PostgreSQL
// servers, in one run per engine, it
//
//   - idle: times a blocking, table-rewriting ALTER on one sysbench-shaped
//     table and hotswap's online ALTER (the real binary) on its twin, and
//     reports their ratio, hotswap's rows/s and its peak RSS;
//   - under load: runs hotswap on a fresh twin while a steady sysbench-like
//     write load runs at a fixed rate, polls the control socket's
//     status-json every 100 ms for the stream lag, and reports the worst
//     write latency around the cut-over and the load's errors.
//
// It prints one table per engine, with the targets next to the figures, and
// writes every figure as JSON to bench/results/<engine>-<rows>-<UTC>.json.
// Servers are stopped and the child is interrupted on every exit path,
// Ctrl-C included.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// config is the command line.
type config struct {
	Bin          string `json:"binary"`
	Rows         int    `json:"rows"`
	Threads      int    `json:"threads"`
	ChunkSize    int    `json:"chunk_size"`
	SkipChecksum bool   `json:"skip_checksum"`
	LoadRate     int    `json:"load_rate_tx_s"`
	LoadThreads  int    `json:"load_threads"`
	Warmup       int    `json:"load_warmup_seconds"`
	SkipIdle     bool   `json:"skip_idle"`
	SkipLoad     bool   `json:"skip_load"`
	resultsDir   string
}

func main() {
	var c config
	engines := flag.String("engine", "all", "mysql (a throwaway MariaDB), postgres (a throwaway PostgreSQL 15) or all")
	flag.StringVar(&c.Bin, "bin", "bin/hotswap", "hotswap binary")
	flag.IntVar(&c.Rows, "rows", 2_000_000, "rows in each table")
	flag.IntVar(&c.Threads, "threads", 2, "hotswap --threads")
	flag.IntVar(&c.ChunkSize, "chunk-size", 0, "hotswap --chunk-size (0: hotswap's default, sized by --chunk-time)")
	flag.BoolVar(&c.SkipChecksum, "skip-checksum", false, "pass --skip-checksum to hotswap (default: checksum on, as in production)")
	flag.IntVar(&c.LoadRate, "load-rate", 500, "write transactions per second of the load, in total")
	flag.IntVar(&c.LoadThreads, "load-threads", 8, "goroutines (connections) sharing the write load")
	flag.IntVar(&c.Warmup, "load-warmup", 3, "seconds of write load before hotswap starts (the baseline latency)")
	flag.BoolVar(&c.SkipIdle, "skip-idle", false, "skip the idle part (blocking ALTER vs hotswap)")
	flag.BoolVar(&c.SkipLoad, "skip-load", false, "skip the under-load part")
	flag.StringVar(&c.resultsDir, "results", "bench/results", "directory for the JSON results")
	flag.Parse()
	if flag.NArg() > 0 {
		fail(fmt.Errorf("unexpected arguments %q", flag.Args()))
	}
	if c.Rows < 1 || c.Threads < 1 || c.ChunkSize < 0 || c.LoadRate < 1 || c.LoadThreads < 1 || c.Warmup < 0 {
		fail(errors.New("-rows, -threads, -load-rate and -load-threads must be positive, -chunk-size not negative"))
	}
	names, err := engineNames(*engines)
	if err != nil {
		fail(err)
	}
	if _, err := os.Stat(c.Bin); err != nil {
		fail(fmt.Errorf("hotswap binary: %w (run make build first)", err))
	}
	// Signals only cancel ctx: the deferred stops always run, so a Ctrl-C
	// leaves no server and no hotswap behind (both run in their own process
	// groups and do not see the terminal's SIGINT themselves).
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	var failed []string
	var printed []*result
	for _, name := range names {
		res, err := runEngine(ctx, name, c)
		if ctx.Err() != nil {
			fmt.Fprintln(os.Stderr, "\nbench: interrupted; servers stopped, hotswap interrupted")
			stop()
			os.Exit(130)
		}
		if res != nil {
			printed = append(printed, res)
			if path, werr := writeJSON(c.resultsDir, res); werr != nil {
				err = errors.Join(err, werr)
			} else {
				fmt.Printf("\n    results written to %s\n", path)
			}
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "\nbench %s failed: %v\n", name, err)
			failed = append(failed, name)
		}
	}
	if len(printed) > 1 {
		fmt.Println("\n==> summary")
		for _, r := range printed {
			printTable(r)
		}
	}
	if len(failed) > 0 {
		stop()
		fail(fmt.Errorf("failed: %s", strings.Join(failed, ", ")))
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench:", err)
	os.Exit(1)
}

func engineNames(s string) ([]string, error) {
	switch strings.ToLower(s) {
	case "all", "":
		return []string{"mysql", "postgres"}, nil
	case "mysql", "mariadb":
		return []string{"mysql"}, nil
	case "postgres", "postgresql", "pg":
		return []string{"postgres"}, nil
	}
	return nil, fmt.Errorf("-engine %q: want mysql, postgres or all", s)
}

func step(format string, args ...any) {
	fmt.Printf("\n==> "+format+"\n", args...)
}
