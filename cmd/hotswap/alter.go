package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/hotswap/hotswap/control"
	hsengine "github.com/hotswap/hotswap/engine"
	"github.com/hotswap/hotswap/job"
	"github.com/hotswap/hotswap/logging"
	"github.com/hotswap/hotswap/migration"
	"github.com/spf13/cobra"
)

type alterFlags struct {
	conn                         connFlags
	table, alter, statement      string
	execute                      bool
	chunkSize, threads, retries  int
	cutOverLockTimeoutSeconds    int
	killBlockersAfter            time.Duration
	chunkTime                    time.Duration
	postponeFlagFile             string
	dropGhost, dropOld, okToDrop bool
	approveRenamed, skipChecksum bool
	fullChecksum                 bool
	attemptInstant, resume       bool
	checkpointInterval           time.Duration
	reconnectTimeout             time.Duration
	revertWindow                 time.Duration
	verbose, debug, quiet        bool
	control                      controlFlags
}

func alterCommand() *cobra.Command {
	var f alterFlags
	cmd := &cobra.Command{
		Use:   "alter",
		Short: "Change a table's schema online (dry run unless --execute)",
		Example: `  hotswap alter --host 127.0.0.1 --port 3306 --user hotswap --database shop --table orders \
    --alter "ADD COLUMN note VARCHAR(64), DROP COLUMN legacy" --execute`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runAlter(cmd, &f) },
	}
	fl := cmd.Flags()
	f.conn.register(fl)
	fl.StringVar(&f.table, "table", "", "table to alter (required)")
	fl.StringVar(&f.alter, "alter", "", `ALTER clauses without "ALTER TABLE <name>", e.g. "ADD COLUMN c INT" (required)`)
	fl.StringVar(&f.statement, "statement", "", `instead of --table and --alter: whole "ALTER TABLE t ...;" statements, one per table, all cut over at once (at most 8 tables of the connection's database or one PostgreSQL schema)`)
	fl.BoolVar(&f.execute, "execute", false, "really migrate; without it, a dry run checks everything and prints the plan")
	fl.IntVar(&f.chunkSize, "chunk-size", 0, "rows per copy chunk, fixed (default: sized continuously so a chunk takes --chunk-time)")
	fl.DurationVar(&f.chunkTime, "chunk-time", 500*time.Millisecond, "target duration of one copy chunk while --chunk-size is not given (100 to 100000 rows)")
	fl.IntVar(&f.threads, "threads", defaultThreads(), "chunks copied (and checksummed) in parallel (default: this machine's cores, 2 to 8)")
	fl.IntVar(&f.cutOverLockTimeoutSeconds, "cut-over-lock-timeout-seconds", 0, "longest the cut-over holds or waits for its table lock per attempt (default 3 on MySQL, 1 on PostgreSQL)")
	fl.DurationVar(&f.killBlockersAfter, "cut-over-kill-blockers-after", 0, "PostgreSQL: once the cut-over has waited this long for its lock, cancel, then terminate, the sessions blocking it (0: never)")
	fl.IntVar(&f.retries, "default-retries", 60, "cut-over attempts before giving up")
	fl.StringVar(&f.postponeFlagFile, "postpone-cut-over-flag-file", "", "while this file exists, keep the shadow current and wait before cutting over")
	fl.BoolVar(&f.dropGhost, "initially-drop-ghost-table", false, "drop a leftover shadow table _<table>_new first (and the checkpoint _<table>_chk; on PostgreSQL also a crashed run's slot and publication)")
	fl.BoolVar(&f.resume, "resume", false, "continue the run that the checkpoint table _<table>_chk records (after a crash, a kill, or on MySQL any failure): same --alter required; the copy goes on from its watermark, the stream from its position")
	fl.DurationVar(&f.checkpointInterval, "checkpoint-interval", 2*time.Second, "how often the run records its progress for --resume")
	fl.DurationVar(&f.reconnectTimeout, "reconnect-timeout", time.Minute, "when the server goes away mid-run (restart, network cut), wait this long for it to answer again, then resume from the checkpoint on its own (0: fail at once)")
	fl.BoolVar(&f.dropOld, "initially-drop-old-table", false, "drop a leftover _<table>_old first")
	fl.BoolVar(&f.okToDrop, "ok-to-drop-table", false, "drop the old table _<table>_old after the swap (kept by default)")
	fl.BoolVar(&f.skipChecksum, "skip-checksum", false, "skip comparing source and shadow before the cut-over (on by default)")
	fl.BoolVar(&f.fullChecksum, "full-checksum", false, "compare every row at the checksum's consistent point, not only the rows changed since their early compare "+
		"(also finds changes the change stream never saw, such as writes with sql_log_bin=0; about 4 s more per million rows)")
	fl.BoolVar(&f.attemptInstant, "attempt-instant-ddl", false, "first try the ALTER in place when the server can do it without copying (MySQL/MariaDB ALGORITHM=INSTANT; PostgreSQL: no rewrite or scan), waiting for its lock no longer than the cut-over would; otherwise copy online")
	fl.DurationVar(&f.revertWindow, "revert-window", 0, "after the cut-over, keep the old table current this long (e.g. 30m) so that `hotswap revert` swaps it back in seconds with every write kept (0: no window; the run stays alive, and on PostgreSQL a slot holds WAL, until the window ends)")
	fl.BoolVar(&f.approveRenamed, "approve-renamed-columns", false, "accepted for gh-ost compatibility: CHANGE old new / RENAME COLUMN always map the data")
	f.control.register(fl)
	fl.BoolVar(&f.verbose, "verbose", false, "log more")
	fl.BoolVar(&f.debug, "debug", false, "log everything")
	fl.BoolVar(&f.quiet, "quiet", false, "log warnings and errors only")
	return cmd
}

func runAlter(cmd *cobra.Command, f *alterFlags) error {
	engine, conn, err := f.conn.resolve()
	if err != nil {
		return refused(cmd, err)
	}
	alters, err := f.alters(engine, conn.Database)
	if err != nil {
		return refused(cmd, err)
	}
	schema, table := alters[0].Schema, alters[0].Table
	if f.cutOverLockTimeoutSeconds == 0 {
		f.cutOverLockTimeoutSeconds = map[string]int{"mysql": 3, "postgres": 1}[engine]
	}
	if f.chunkSize < 0 || f.chunkTime < 10*time.Millisecond || f.threads < 1 || f.retries < 1 || f.cutOverLockTimeoutSeconds < 1 || f.killBlockersAfter < 0 || f.checkpointInterval < 100*time.Millisecond || f.reconnectTimeout < 0 {
		return refused(cmd, fmt.Errorf("--chunk-size, --threads, --default-retries and --cut-over-lock-timeout-seconds must be at least 1 (--chunk-size: 0 for automatic), --chunk-time at least 10ms, --checkpoint-interval at least 100ms, --cut-over-kill-blockers-after not negative"))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg := migration.Config{
		Engine: engine, Conn: conn, Schema: schema, Table: table, Alter: alters[0].Clauses, Execute: f.execute,
		KillBlockersAfter: f.killBlockersAfter,
		ChunkSize:         f.chunkSize, ChunkTime: f.chunkTime, Threads: f.threads, DefaultRetries: f.retries,
		CutOverLockTimeout: time.Duration(f.cutOverLockTimeoutSeconds) * time.Second,
		PostponeFlagFile:   f.postponeFlagFile,
		InitiallyDropGhost: f.dropGhost, InitiallyDropOld: f.dropOld, OkToDropTable: f.okToDrop,
		SkipChecksum: f.skipChecksum, FullChecksum: f.fullChecksum, AttemptInstantDDL: f.attemptInstant,
		Resume: f.resume, CheckpointInterval: f.checkpointInterval,
		Log: logging.New(cmd.ErrOrStderr(), f.level()), Out: cmd.OutOrStdout(),
	}
	if err := f.control.applyAlter(&cfg); err != nil {
		return refused(cmd, err)
	}
	if f.revertWindow < 0 {
		return refused(cmd, fmt.Errorf("--revert-window %s: want a duration of 0 or more", f.revertWindow))
	}
	if len(alters) > 1 {
		cfg.RevertWindow = f.revertWindow // refused by the set, saying why
		return exitFor(cmd, runSet(ctx, cfg, alters, f.reconnectTimeout))
	}
	if cfg.RevertWindow = f.revertWindow; cfg.RevertWindow > 0 && cfg.ServeSocketFile == "" && f.execute {
		cfg.ServeSocketFile = control.RunSocketPath(engine, conn.Host, conn.Port, conn.Database, schema, table) // where `hotswap revert` looks
	}
	err = outlastOutages(ctx, server{cfg.Engine, cfg.Conn, cfg.Log, cfg.Out}, f.reconnectTimeout, cfg.Resume, func(ctx context.Context, resume bool) (bool, error) {
		cfg.Resume = resume
		m := migration.New(cfg)
		err := m.Run(ctx)
		return m.Resumable(), err
	})
	return exitFor(cmd, err)
}

// alters reads --table and --alter, or --statement: the tables to alter,
// one or several, each with its clauses.
func (f *alterFlags) alters(engineKind, database string) ([]hsengine.TableAlter, error) {
	if f.statement != "" {
		if f.table != "" || f.alter != "" {
			return nil, fmt.Errorf("give either --statement, or --table and --alter, not both")
		}
		defaultSchema := database
		if engineKind == hsengine.Postgres {
			defaultSchema = "public"
		}
		return hsengine.ParseAlters(engineKind, f.statement, defaultSchema)
	}
	if f.table == "" || f.alter == "" {
		return nil, fmt.Errorf("--table and --alter (or --statement) are required")
	}
	schema, table, err := splitTable(engineKind, f.table)
	if err != nil {
		return nil, err
	}
	return []hsengine.TableAlter{{Schema: schema, Table: table, Clauses: f.alter}}, nil
}

// runSet runs the ALTERs of several tables as one run with one cut-over,
// outlasting server outages as a single table's run does.
func runSet(ctx context.Context, cfg migration.Config, alters []hsengine.TableAlter, reconnect time.Duration) error {
	return outlastOutages(ctx, server{cfg.Engine, cfg.Conn, cfg.Log, cfg.Out}, reconnect, cfg.Resume, func(ctx context.Context, resume bool) (bool, error) {
		cfg.Resume = resume
		s := migration.NewSet(cfg, alters)
		err := s.Run(ctx)
		return s.Resumable(), err
	})
}

func (f *alterFlags) level() logging.Level {
	switch {
	case f.debug:
		return logging.Debug
	case f.verbose:
		return logging.Verbose
	case f.quiet:
		return logging.Quiet
	}
	return logging.Normal
}

// exitFor ends a migration or a backfill: exit 0 when done; 2 when refused
// before any change (said here); 1 when it failed, which the run itself has
// printed with what is left and how to resume.
func exitFor(cmd *cobra.Command, err error) error {
	switch {
	case err == nil:
		return nil
	case job.IsRefused(err): // alter, backfill: one kind of refusal
		return refused(cmd, err)
	}
	return exitError(exitFailed)
}

func refused(cmd *cobra.Command, err error) error {
	fmt.Fprintf(cmd.ErrOrStderr(), "hotswap: refused, nothing was changed: %v\n", err)
	return exitError(exitRefused)
}

// splitTable reads --table: on PostgreSQL it may be schema.table (default
// schema public); MySQL names the database with --database.
func splitTable(engine, name string) (schema, table string, err error) {
	if engine != "postgres" {
		return "", name, nil
	}
	schema, table, found := strings.Cut(name, ".")
	if !found {
		return "public", name, nil
	}
	if schema == "" || table == "" || strings.Contains(table, ".") {
		return "", "", fmt.Errorf("--table %q: want table or schema.table", name)
	}
	return schema, table, nil
}

// defaultThreads is this machine's cores within 2..8: hotswap usually runs
// next to the database, and more connections than that mostly add contention.
func defaultThreads() int { return min(max(runtime.NumCPU(), 2), 8) }
