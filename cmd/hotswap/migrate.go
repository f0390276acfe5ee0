package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/hotswap/hotswap/job"
	"github.com/hotswap/hotswap/logging"
	"github.com/hotswap/hotswap/metrics"
	"github.com/hotswap/hotswap/migration"
	"github.com/hotswap/hotswap/versions"
	"github.com/spf13/cobra"
)

// migrateFlags are hotswap migrate's: the database, the directory, and the
// settings of the online statements (as alter's).
type migrateFlags struct {
	conn        connFlags
	dir, schema string
	onlineRows  int64
	onlineMB    int64
	to          uint64
	steps       int
	state       string
	env, config string
	concurrency int
	threads     int
	chunkSize   int
	lockTimeout int
	retries     int
	okToDrop    bool
	allowUnsafe bool
	window      time.Duration
	instant     bool
	postpone    string
	control     controlFlags
}

func migrateCommand() *cobra.Command {
	var f migrateFlags
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Versioned migrations from a directory of NNNN_name.up.sql / .down.sql files, recorded per database; big ALTERs run online",
		Example: `  hotswap migrate status --dsn mysql://hotswap@db1:3306/shop --dir migrations
  hotswap migrate plan   --dsn mysql://hotswap@db1:3306/shop --dir migrations
  hotswap migrate up     --dsn mysql://hotswap@db1:3306/shop --dir migrations
  hotswap migrate down   --dsn mysql://hotswap@db1:3306/shop --dir migrations --steps 1
  hotswap migrate mark 3 --state applied --dsn mysql://hotswap@db1:3306/shop --dir migrations`,
	}
	pf := cmd.PersistentFlags()
	f.conn.register(pf)
	pf.StringVar(&f.dir, "dir", "migrations", "the directory of migration files (golang-migrate's layout)")
	pf.StringVar(&f.env, "env", "", "the environment of --config whose servers to migrate, in place of the connection flags")
	pf.StringVar(&f.config, "config", "hotswap.yaml", "the environments file --env reads")
	pf.IntVar(&f.concurrency, "concurrency", 1, "with --env: servers migrated at once (the environment's own setting otherwise); after a failure no new server starts")
	pf.StringVar(&f.schema, "schema", "public", "PostgreSQL: the schema of the history table and of unqualified names")
	pf.Int64Var(&f.onlineRows, "online-rows", versions.DefaultOnlineRows, "an ALTER TABLE of a table with at least this many rows (the server's estimate) runs online, an UPDATE or DELETE as a background backfill; smaller ones run directly")
	pf.Int64Var(&f.onlineMB, "online-mb", versions.DefaultOnlineBytes>>20, "... or of at least this many MB of data and indexes (catches a table whose statistics are missing)")
	pf.IntVar(&f.threads, "threads", defaultThreads(), "online statements: chunks copied in parallel")
	pf.IntVar(&f.chunkSize, "chunk-size", 0, "online statements: rows per copy chunk, fixed (default: sized so a chunk takes 500 ms)")
	pf.IntVar(&f.lockTimeout, "cut-over-lock-timeout-seconds", 0, "online statements: longest a cut-over holds or waits for its lock (default 3 on MySQL, 1 on PostgreSQL)")
	pf.IntVar(&f.retries, "default-retries", 60, "online statements: cut-over attempts before giving up")
	pf.BoolVar(&f.instant, "attempt-instant-ddl", true, "online statements: first let the server make the change in place when it can without copying (MySQL/MariaDB ALGORITHM=INSTANT; PostgreSQL no rewrite or scan), waiting for its lock no longer than a cut-over; =false always copies")
	pf.StringVar(&f.postpone, "postpone-cut-over-flag-file", "", "online statements: while this file exists, keep the shadow current and wait before cutting over (the version shows as postponed)")
	pf.BoolVar(&f.okToDrop, "ok-to-drop-table", false, "online statements: drop the old table after each swap (kept by default)")
	pf.BoolVar(&f.allowUnsafe, "allow-unsafe", false, "up: run despite the lint's findings (tables or columns dropped or renamed, NOT NULL on rows, validation locks, unique keys on duplicates)")
	f.control.register(pf)
	up := &cobra.Command{Use: "up", Short: "Apply the pending versions in order (continues a failed or killed one where it stopped)", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runMigrate(cmd, &f, versions.Up) }}
	up.Flags().Uint64Var(&f.to, "to", 0, "stop after this version (default: the last)")
	up.Flags().DurationVar(&f.window, "revert-window", 0, "keep each online statement's old table current this long after its cut-over (e.g. 30m): "+
		"when every statement of the last version ran online, up stays and `migrate down` swaps the old tables back at once, every write kept (0: no window)")
	plan := &cobra.Command{Use: "plan", Short: "Show how each pending statement would run, changing nothing", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runMigrate(cmd, &f, versions.Plan) }}
	plan.Flags().Uint64Var(&f.to, "to", 0, "up to this version (default: the last)")
	down := &cobra.Command{Use: "down", Short: "Revert the last applied versions by their down files", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runMigrate(cmd, &f, versions.Down) }}
	down.Flags().IntVar(&f.steps, "steps", 1, "how many versions to revert")
	status := &cobra.Command{Use: "status", Short: "Show each version's state; exit 1 on drift", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runMigrate(cmd, &f, versions.Status) }}
	mark := &cobra.Command{Use: "mark VERSION --state applied|reverted", Short: "Record a version as applied or reverted without running it (after doing it by hand)",
		Args: cobra.ExactArgs(1), RunE: func(cmd *cobra.Command, args []string) error {
			n, err := strconv.ParseUint(args[0], 10, 64)
			if err != nil {
				return refused(cmd, fmt.Errorf("version %q: want a number", args[0]))
			}
			return runMigrate(cmd, &f, func(ctx context.Context, c versions.Config) error { return versions.Mark(ctx, c, n, f.state) })
		}}
	mark.Flags().StringVar(&f.state, "state", "", "applied or reverted (required)")
	cmd.AddCommand(status, plan, up, down, mark)
	return cmd
}

// runMigrate builds the configuration from the flags and runs one
// subcommand, on the database of the connection flags or on every server of
// --env's environment.
func runMigrate(cmd *cobra.Command, f *migrateFlags, run func(context.Context, versions.Config) error) error {
	var env environment
	if f.env != "" {
		if f.conn.dsn != "" || cmd.Flags().Changed("host") || cmd.Flags().Changed("database") {
			return refused(cmd, fmt.Errorf("--env takes its servers from %s: leave out --dsn, --host and --database", f.config))
		}
		var err error
		if env, err = loadEnvironment(cmd, f.config, f.env); err != nil {
			return refused(cmd, err)
		}
	}
	base, err := f.base(cmd)
	if err != nil {
		return refused(cmd, err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	endMetrics, err := serveMigrateMetrics(&base)
	if err != nil {
		return refused(cmd, err)
	}
	defer endMetrics(ctx)
	if f.env == "" {
		engine, conn, err := f.conn.resolve()
		if err != nil {
			return refused(cmd, err)
		}
		base.Engine, base.Conn = engine, conn
		return migrateExit(cmd, run(ctx, f.withLockTimeout(base)))
	}
	servers, err := f.servers(env, base)
	if err != nil {
		return refused(cmd, err)
	}
	concurrency := env.Concurrency
	if cmd.Flags().Changed("concurrency") || concurrency == 0 {
		concurrency = f.concurrency
	}
	if f.window > 0 && concurrency < len(servers) {
		return refused(cmd, fmt.Errorf("--revert-window with %d servers at --concurrency %d: each server's up stays for its windows, so the servers after the first %d would wait for those windows to end; pass --concurrency %d, or migrate the servers one by one",
			len(servers), concurrency, concurrency, len(servers)))
	}
	return migrateExit(cmd, versions.Fleet(ctx, servers, concurrency, run))
}

// base is the configuration every server shares, from the flags.
func (f *migrateFlags) base(cmd *cobra.Command) (versions.Config, error) {
	if f.threads < 1 || f.retries < 1 || f.lockTimeout < 0 || f.onlineRows < 1 || f.onlineMB < 1 || f.concurrency < 1 || f.chunkSize < 0 {
		return versions.Config{}, fmt.Errorf("--threads, --default-retries, --online-rows, --online-mb and --concurrency must be at least 1, --cut-over-lock-timeout-seconds and --chunk-size not negative")
	}
	online := migration.Config{Threads: f.threads, ChunkSize: f.chunkSize, DefaultRetries: f.retries, OkToDropTable: f.okToDrop, RevertWindow: f.window, AttemptInstantDDL: f.instant,
		PostponeFlagFile: f.postpone}
	if err := f.control.applyAlter(&online); err != nil {
		return versions.Config{}, err
	}
	switch {
	case f.window < 0:
		return versions.Config{}, fmt.Errorf("--revert-window %s: want a duration of 0 or more", f.window)
	case f.window > 0 && online.ServeSocketFile != "":
		return versions.Config{}, fmt.Errorf("--serve-socket-file with --revert-window: each online statement's run then listens on its table's own socket (where `migrate down` and `hotswap revert --table` find it); leave --serve-socket-file out")
	}
	return versions.Config{Schema: f.schema, Dir: f.dir, To: f.to, Steps: f.steps, AllowUnsafe: f.allowUnsafe, OnlineRows: f.onlineRows,
		OnlineBytes: f.onlineMB << 20, Online: online, Hotswap: version,
		Log: logging.New(cmd.ErrOrStderr(), logging.Normal), Out: cmd.OutOrStdout()}, nil
}

// withLockTimeout fills the cut-over lock timeout by engine when not given.
func (f *migrateFlags) withLockTimeout(c versions.Config) versions.Config {
	secs := f.lockTimeout
	if secs == 0 {
		secs = map[string]int{"mysql": 3, "postgres": 1}[c.Engine]
	}
	c.Online.CutOverLockTimeout = time.Duration(secs) * time.Second
	return c
}

// servers is one configuration per server of env, each writing its lines
// prefixed with the server's name.
func (f *migrateFlags) servers(env environment, base versions.Config) ([]versions.Server, error) {
	var mu sync.Mutex
	out := make([]versions.Server, 0, len(env.Servers))
	for _, dsn := range env.Servers {
		cf := connFlags{dsn: dsn, passwordFile: f.conn.passwordFile, password: f.conn.password}
		engine, conn, err := cf.resolve()
		if err != nil {
			return nil, fmt.Errorf("--env %s: server %s: %w", f.env, dsn, err)
		}
		name := fmt.Sprintf("%s/%s", conn.Addr(), conn.Database)
		c := base
		c.Engine, c.Conn = engine, conn
		c.Out = &prefixWriter{prefix: "[" + name + "] ", out: base.Out, mu: &mu}
		c.Log = base.Log.With().Str("server", name).Logger()
		out = append(out, versions.Server{Name: name, Config: f.withLockTimeout(c)})
	}
	return out, nil
}

// migrateExit maps a subcommand's outcome to the exit status: 1 on drift
// or failure, 2 when refused before anything changed.
func migrateExit(cmd *cobra.Command, err error) error {
	var drift *versions.ErrDrift
	switch {
	case err == nil:
		return nil
	case errors.As(err, &drift):
		if !strings.HasPrefix(err.Error(), drift.Error()) { // a fleet: say which servers
			fmt.Fprintln(cmd.ErrOrStderr(), "hotswap migrate:", err)
		}
		return exitError(exitFailed)
	case job.IsRefused(err):
		return refused(cmd, err)
	}
	fmt.Fprintln(cmd.ErrOrStderr(), "hotswap migrate:", err)
	return exitError(exitFailed)
}

// serveMigrateMetrics opens --metrics-address once for the whole command:
// every online statement's run, on every server, reports through it (each
// table a series labelled by server), from the first to the last, revert
// windows included. end closes it, after --metrics-linger unless ctx ended.
func serveMigrateMetrics(c *versions.Config) (end func(context.Context), err error) {
	s := &c.Online.Settings
	if s.MetricsAddress == "" {
		return func(context.Context) {}, nil
	}
	board, err := metrics.ServeMany(s.MetricsAddress)
	if err != nil {
		return nil, err
	}
	s.MetricsBoard = board
	c.Log.Info().Str("metrics", "http://"+board.Addr()+"/metrics").Msg("serving metrics and /status for every run of this migrate")
	return func(ctx context.Context) {
		if s.MetricsLinger > 0 && ctx.Err() == nil {
			c.Log.Info().Dur("for", s.MetricsLinger).Msg("serving the final metrics (--metrics-linger); Ctrl-C ends it")
			job.Sleep(ctx, s.MetricsLinger)
		}
		_ = board.Close()
	}, nil
}
