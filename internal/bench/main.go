// Command bench runs `make bench`: on throwaway MariaDB and PostgreSQL
// servers, in one run per engine, it prepares the standard sysbench table
// (`sysbench oltp_read_write --tables=1 --table-size=ROWS prepare`) and times
// the same ALTER on a fresh copy of it in each step:
//
//   - idle: the blocking, table-rewriting ALTER (MariaDB: ALGORITHM=COPY),
//     hotswap (the real binary, its defaults, checksum on) and, on MariaDB,
//     pt-online-schema-change;
//   - the same three under the standard load, `sysbench oltp_write_only
//     --rate=300 --threads=4 --report-interval=1`, started a few seconds
//     before the step and stopped a little after it: the writers' worst 1 s
//     p95 during the step and the errors sysbench counted.
//
// Each time is also given as a ratio to the blocking ALTER of the same
// condition. hotswap's control socket is polled for status-json: the
// longest time the copied-rows count stood still, whether the ETA grew while
// rows remained, stream lag; its peak RSS is its rusage.
//
// It prints one table per engine, with issue 13's targets next to the
// figures, and writes every figure as JSON to
// bench/results/<engine>-<rows>-<UTC>.json. Servers are stopped and the
// children (hotswap, sysbench, pt-online-schema-change, each in its own
// process group) are stopped on every exit path, Ctrl-C included. Passwords
// go in the environment or in 0600 files, never on a printed command line.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// config is the command line.
type config struct {
	Bin           string        `json:"binary"`
	Rows          int           `json:"rows"`
	Threads       int           `json:"threads"`
	ChunkSize     int           `json:"chunk_size"`
	SkipChecksum  bool          `json:"skip_checksum"`
	HotswapFlags  string        `json:"hotswap_flags,omitempty"`
	AlterMySQL    string        `json:"alter_mysql"`
	MySQLSet      string        `json:"mysql_set,omitempty"`
	AlterPostgres string        `json:"alter_postgres"`
	Sysbench      string        `json:"sysbench"`
	PTOSC         string        `json:"pt_online_schema_change"`
	LoadRate      int           `json:"load_rate_tx_s"`
	LoadThreads   int           `json:"load_threads"`
	Warmup        int           `json:"load_warmup_seconds"`
	SkipIdle      bool          `json:"skip_idle"`
	SkipLoad      bool          `json:"skip_load"`
	SkipPTOSC     bool          `json:"skip_ptosc"`
	SkipRevert    bool          `json:"skip_revert"`
	PTOSCTimeout  time.Duration `json:"ptosc_timeout_ns"`
	resultsDir    string
}

func main() {
	var c config
	engines := flag.String("engine", "all", "mysql (a throwaway MariaDB), postgres (a throwaway PostgreSQL 15) or all")
	flag.StringVar(&c.Bin, "bin", "bin/hotswap", "hotswap binary")
	flag.IntVar(&c.Rows, "rows", 1_000_000, "rows in the sysbench table (--table-size)")
	flag.IntVar(&c.Threads, "threads", 2, "hotswap --threads")
	flag.IntVar(&c.ChunkSize, "chunk-size", 0, "hotswap --chunk-size (0: hotswap's default, sized by --chunk-time)")
	flag.BoolVar(&c.SkipChecksum, "skip-checksum", false, "pass --skip-checksum to hotswap (default: checksum on, as in production)")
	flag.StringVar(&c.HotswapFlags, "hotswap-flags", "", "more flags for hotswap alter, space-separated (e.g. --full-checksum)")
	flag.StringVar(&c.MySQLSet, "mysql-set", "", "SET GLOBAL assignments for the MariaDB server, space-separated (e.g. innodb_log_file_size=1073741824)")
	flag.StringVar(&c.AlterMySQL, "alter-mysql", "ADD COLUMN e1 INT NOT NULL DEFAULT 0", "the ALTER on MariaDB (blocking: with ALGORITHM=COPY)")
	flag.StringVar(&c.AlterPostgres, "alter-postgres", "ALTER COLUMN k TYPE bigint", "the ALTER on PostgreSQL (must rewrite the table)")
	flag.StringVar(&c.Sysbench, "sysbench", "sysbench", "sysbench binary (Debian's sysbench)")
	flag.StringVar(&c.PTOSC, "ptosc", "pt-online-schema-change", "pt-online-schema-change binary (Debian's percona-toolkit); steps skipped if missing")
	flag.IntVar(&c.LoadRate, "load-rate", 300, "sysbench oltp_write_only --rate (transactions per second, in total)")
	flag.IntVar(&c.LoadThreads, "load-threads", 4, "sysbench oltp_write_only --threads")
	flag.IntVar(&c.Warmup, "load-warmup", 3, "seconds of load before each step under load (the baseline p95)")
	flag.BoolVar(&c.SkipIdle, "skip-idle", false, "skip the idle steps")
	flag.BoolVar(&c.SkipLoad, "skip-load", false, "skip the steps under load")
	flag.BoolVar(&c.SkipRevert, "skip-revert", false, "skip the step under load that migrates with --revert-window and reverts")
	flag.BoolVar(&c.SkipPTOSC, "skip-ptosc", false, "skip pt-online-schema-change")
	flag.DurationVar(&c.PTOSCTimeout, "ptosc-timeout", 3*time.Minute, "interrupt pt-online-schema-change after this long")
	flag.StringVar(&c.resultsDir, "results", "bench/results", "directory for the JSON results")
	flag.Parse()
	if flag.NArg() > 0 {
		fail(fmt.Errorf("unexpected arguments %q", flag.Args()))
	}
	if c.Rows < 1 || c.Threads < 1 || c.ChunkSize < 0 || c.LoadRate < 1 || c.LoadThreads < 1 || c.Warmup < 0 || c.PTOSCTimeout <= 0 {
		fail(errors.New("-rows, -threads, -load-rate and -load-threads must be positive, -chunk-size not negative"))
	}
	names, err := engineNames(*engines)
	if err != nil {
		fail(err)
	}
	if _, err := os.Stat(c.Bin); err != nil {
		fail(fmt.Errorf("hotswap binary: %w (run make build first)", err))
	}
	if _, err := exec.LookPath(c.Sysbench); err != nil {
		fail(fmt.Errorf("sysbench: %w (make bench installs it, or apt-get install -y sysbench)", err))
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
			fmt.Fprintln(os.Stderr, "\nbench: interrupted; servers and children stopped")
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
