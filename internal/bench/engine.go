package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// engine is one database flavour of the benchmark; mysql.go and postgres.go.
type engine interface {
	name() string                      // "mysql", "postgres": file names, -engine
	label() string                     // "MariaDB", "PostgreSQL"
	start() error                      // starts the server; on error nothing is left running
	stop() error                       // closes the pool, stops the server, removes its files
	prepare(ctx context.Context) error // creates database bench and opens the pool
	version(ctx context.Context) (string, error)
	pool() *sql.DB // the table owner's pool, database bench

	sysbenchOptions() []string                     // the connection, as sysbench --config-file lines
	keepPristine(ctx context.Context) error        // sysbench's prepared sbtest1 becomes pristineTable's rows
	reset(ctx context.Context, table string) error // table (and the tools' leftovers) dropped, made again from pristineTable
	blocking(table string) string                  // the blocking, table-rewriting ALTER TABLE statement
	alter() string                                 // hotswap's and pt-osc's --alter (the same change)
	hotswapArgs() (args []string, password string) // connection flags; the password goes in HOTSWAP_PASSWORD
	ptoscDSN(dir string) (dsn string, err error)   // pt-online-schema-change's DSN (password in a file in dir)
	idleTarget() float64                           // hotswap / blocking, idle: at most
	loadTarget() float64                           // hotswap / blocking, under the load: at most
}

// Table names: sysbench's, the pristine copy every step starts from.
const (
	sysbenchTable = "sbtest1"
	pristineTable = "sbtest_pristine"
)

// leftovers are table and the tables hotswap and pt-online-schema-change
// leave or make beside it.
func leftovers(table string) []string {
	return []string{table, "_" + table + "_old", "_" + table + "_new", "_" + table + "_hb"}
}

// Targets of issue 13 ("Fast under a real write load").
const (
	targetRSSMB    = 200 // hotswap peak RSS below this
	targetP95MS    = 50  // writers' worst 1 s p95 while hotswap runs under the load, below this
	targetErrors   = 0   // app errors while hotswap runs
	targetStallSec = 1.0 // longest time rows_copied does not move, at most
	drainMargin    = 2 * time.Second
	statusInterval = 100 * time.Millisecond
)

func newEngine(name string, c config) engine {
	if name == "postgres" {
		return &postgresBench{alterSQL: c.AlterPostgres}
	}
	return &mysqlBench{alterSQL: c.AlterMySQL, settings: strings.Fields(c.MySQLSet)}
}

// runEngine starts the engine's server, prepares the sysbench table, runs
// every step on a fresh copy of it and stops the server. The result is nil
// only if nothing could be measured.
func runEngine(ctx context.Context, name string, c config) (res *result, err error) {
	e := newEngine(name, c)
	step("%s: starting a throwaway server", e.label())
	if err := e.start(); err != nil {
		return nil, err
	}
	defer func() {
		step("%s: stopping the server", e.label())
		if serr := e.stop(); serr != nil {
			fmt.Fprintln(os.Stderr, "   ", serr)
		}
	}()
	if err := e.prepare(ctx); err != nil {
		return nil, err
	}
	res = &result{
		Engine:    name,
		Rows:      c.Rows,
		Alter:     e.alter(),
		StartedAt: time.Now().UTC(),
		Machine:   machine{CPUs: runtime.NumCPU(), OS: runtime.GOOS, Arch: runtime.GOARCH, GoVersion: runtime.Version()},
		Config:    c,
	}
	res.Machine.Hostname, _ = os.Hostname()
	if abs, aerr := filepath.Abs(c.Bin); aerr == nil {
		res.Config.Bin = abs
	}
	if res.Server, err = e.version(ctx); err != nil {
		return nil, fmt.Errorf("server version: %w", err)
	}
	fmt.Printf("    %s %s, %d CPUs, %s/%s\n", e.label(), res.Server, res.Machine.CPUs, res.Machine.OS, res.Machine.Arch)
	dir, err := os.MkdirTemp("", "hotswap-bench")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	conf, err := writeSysbenchConfig(dir, e)
	if err != nil {
		return nil, err
	}
	step("%s: sysbench oltp_read_write --tables=1 --table-size=%d prepare", e.label(), c.Rows)
	t := time.Now()
	if err := sysbenchPrepare(ctx, c, conf, filepath.Join(dir, e.name()+"-prepare.log")); err != nil {
		return nil, err
	}
	if err := e.keepPristine(ctx); err != nil {
		return nil, fmt.Errorf("keep the prepared rows: %w", err)
	}
	fmt.Printf("    prepared in %s; every step starts from a copy of these rows\n", since(t))

	var failed []error
	for _, s := range plan(c, e) {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if s.Skipped == "" {
			err := runStep(ctx, e, c, dir, conf, s)
			switch {
			case err == nil || ctx.Err() != nil:
			case s.Tool == toolPTOSC && s.Command != "":
				// pt-osc giving up under the load is a figure, not a bench failure.
				s.Error = "pt-online-schema-change failed: " + err.Error()
				fmt.Println("    " + s.Error)
			default:
				s.Error = err.Error()
				failed = append(failed, fmt.Errorf("%s: %w", s.title(), err))
				fmt.Fprintln(os.Stderr, "    FAILED:", err)
			}
		}
		res.Steps = append(res.Steps, s)
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	res.Finished = time.Now().UTC()
	res.check()
	printTable(res)
	if len(failed) > 0 {
		return res, fmt.Errorf("%d step(s) failed, first: %v", len(failed), failed[0])
	}
	return res, nil
}

func since(t time.Time) time.Duration { return time.Since(t).Round(10 * time.Millisecond) }
