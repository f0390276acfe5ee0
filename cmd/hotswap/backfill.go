package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/hotswap/hotswap/backfill"
	"github.com/hotswap/hotswap/logging"
	"github.com/spf13/cobra"
)

type backfillFlags struct {
	conn                   connFlags
	table, set, where, sql string
	execute, resume        bool
	chunkSize, threads     int
	chunkTime, lockWait    time.Duration
	window, windowTZ       string
	startAt                string
	maxRuntime, ckpt       time.Duration
	reconnectTimeout       time.Duration
	verbose, debug, quiet  bool
	control                controlFlags
}

func backfillCommand() *cobra.Command {
	var f backfillFlags
	cmd := &cobra.Command{
		Use:   "backfill",
		Short: "Change a big table's data in throttled, resumable chunks by key (dry run unless --execute)",
		Example: `  hotswap backfill --dsn mysql://hotswap@db1/shop --table customers \
    --set "full_name = CONCAT(first, ' ', last)" --where "full_name IS NULL" --window 01:00-05:00 --execute
  hotswap backfill --dsn postgres://hotswap@db1/shop --table public.orders --sql-file fix.sql --execute`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runBackfill(cmd, &f) },
	}
	fl := cmd.Flags()
	f.conn.register(fl)
	fl.StringVar(&f.table, "table", "", "table to change ([schema.]table on PostgreSQL; required)")
	fl.StringVar(&f.set, "set", "", `assignments of the UPDATE, e.g. "full_name = CONCAT(first, ' ', last)"`)
	fl.StringVar(&f.where, "where", "", `rows to change, e.g. "full_name IS NULL": make it false for rows already changed, so a chunk run again (after a crash) changes nothing`)
	fl.StringVar(&f.sql, "sql-file", "", "a file with the whole statement instead of --set/--where; {{chunk}} in it stands for the chunk's key range")
	fl.BoolVar(&f.execute, "execute", false, "really change rows; without it, a dry run counts matching rows on a sample and prints the statements")
	fl.BoolVar(&f.resume, "resume", false, "continue the backfill its checkpoint table _<table>_bf records")
	fl.IntVar(&f.chunkSize, "chunk-size", 0, "rows per chunk, fixed (default: sized continuously so a chunk takes --chunk-time)")
	fl.DurationVar(&f.chunkTime, "chunk-time", 500*time.Millisecond, "target duration of one chunk")
	fl.IntVar(&f.threads, "threads", 1, "chunks run at once")
	fl.DurationVar(&f.lockWait, "lock-wait", 5*time.Second, "longest a chunk waits for a row lock the application holds before it is tried again later")
	fl.StringVar(&f.window, "window", "", "run only inside this daily window, e.g. 01:00-05:00 (22:00-04:00 crosses midnight); outside it the backfill waits")
	fl.StringVar(&f.windowTZ, "window-tz", "Local", "time zone of --window and --start-at, e.g. UTC or Europe/Berlin")
	fl.StringVar(&f.startAt, "start-at", "", "do not start before this time: 2026-12-01T02:00 (in --window-tz) or RFC 3339")
	fl.DurationVar(&f.reconnectTimeout, "reconnect-timeout", time.Minute, "when the server goes away mid-run (restart, network cut), wait this long for it to answer again, then continue from the checkpoint on its own (0: fail at once)")
	fl.DurationVar(&f.maxRuntime, "max-runtime", 0, "stop after this long (the checkpoint is kept: --resume continues); 0: no limit")
	fl.DurationVar(&f.ckpt, "checkpoint-interval", 2*time.Second, "how often the progress is recorded for --resume")
	f.control.register(fl)
	fl.BoolVar(&f.verbose, "verbose", false, "log more")
	fl.BoolVar(&f.debug, "debug", false, "log everything")
	fl.BoolVar(&f.quiet, "quiet", false, "log warnings and errors only")
	return cmd
}

func runBackfill(cmd *cobra.Command, f *backfillFlags) error {
	cfg, err := f.config(cmd)
	if err != nil {
		return refused(cmd, err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	began := time.Now()
	err = outlastOutages(ctx, server{cfg.Engine, cfg.Conn, cfg.Log, cfg.Out}, f.reconnectTimeout, cfg.Resume,
		func(ctx context.Context, resume bool) (bool, error) {
			run := cfg
			run.Resume = resume
			run.Began = began // --max-runtime counts the outage too
			b := backfill.New(run)
			err := b.Run(ctx)
			return b.Resumable(), err
		})
	return exitFor(cmd, err)
}

func (f *backfillFlags) config(cmd *cobra.Command) (backfill.Config, error) {
	engine, conn, err := f.conn.resolve()
	if err != nil {
		return backfill.Config{}, err
	}
	schema, table, err := splitTable(engine, f.table)
	if err != nil {
		return backfill.Config{}, err
	}
	loc, err := time.LoadLocation(f.windowTZ)
	if err != nil {
		return backfill.Config{}, fmt.Errorf("--window-tz %q: %w", f.windowTZ, err)
	}
	cfg := backfill.Config{Engine: engine, Conn: conn, Schema: schema, Table: table, Set: f.set, Where: f.where,
		Execute: f.execute, Resume: f.resume, ChunkSize: f.chunkSize, ChunkTime: f.chunkTime, Threads: f.threads,
		LockWait: f.lockWait, Window: f.window, WindowTZ: loc, MaxRuntime: f.maxRuntime, CheckpointInterval: f.ckpt,
		Log: logging.New(cmd.ErrOrStderr(), levelOf(f.verbose, f.debug, f.quiet)), Out: cmd.OutOrStdout()}
	if f.sql != "" {
		body, err := os.ReadFile(f.sql)
		if err != nil {
			return cfg, fmt.Errorf("--sql-file: %w", err)
		}
		cfg.Template = string(body)
	}
	if f.startAt != "" {
		if cfg.StartAt, err = parseStartAt(f.startAt, loc); err != nil {
			return cfg, err
		}
	}
	if f.chunkSize < 0 || f.chunkTime < 10*time.Millisecond || f.threads < 1 || f.lockWait < time.Second || f.ckpt < 100*time.Millisecond || f.reconnectTimeout < 0 {
		return cfg, fmt.Errorf("--chunk-size must not be negative (0: automatic), --threads at least 1, --chunk-time at least 10ms, --lock-wait at least 1s, --checkpoint-interval at least 100ms, --reconnect-timeout not negative")
	}
	if err := f.control.apply(engine, &cfg.Settings); err != nil {
		return cfg, err
	}
	return cfg, nil
}

func parseStartAt(s string, loc *time.Location) (time.Time, error) {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("--start-at %q: want 2026-12-01T02:00 (in --window-tz) or RFC 3339", s)
}

func levelOf(verbose, debug, quiet bool) logging.Level {
	f := alterFlags{verbose: verbose, debug: debug, quiet: quiet}
	return f.level()
}
