package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/hotswap/hotswap/control"
	"github.com/hotswap/hotswap/logging"
	"github.com/hotswap/hotswap/migration"
	"github.com/spf13/cobra"
)

// revertCommand swaps back a migration still in its revert window: it finds
// the live run's socket from the connection flags (or --serve-socket-file)
// and asks it; the run carries out the revert, a cut-over like the forward one.
func revertCommand() *cobra.Command {
	var (
		conn        connFlags
		table       string
		socket      string
		execute     bool
		timeout     time.Duration
		from, alter string
		lockTimeout int
		retries     int
		metrics     string
		linger      time.Duration
	)
	cmd := &cobra.Command{
		Use:   "revert",
		Short: "Swap back a migration in its revert window (--revert-window), keeping every write (dry run unless --execute)",
		Example: `  hotswap revert --host 127.0.0.1 --port 3306 --user hotswap --database shop --table orders          # what it would do
  hotswap revert --host 127.0.0.1 --port 3306 --user hotswap --database shop --table orders --execute`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			tf, err := conn.resolveTable(table)
			if err != nil {
				return refused(cmd, err)
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if metrics != "" && from == "" {
				return refused(cmd, fmt.Errorf("--metrics-address serves a revert's metrics only with --from (this process then does the revert); a revert within the window is done by the run that migrated the table, which serves its metrics at its own --metrics-address"))
			}
			if from != "" {
				if tf.engine != "mysql" || alter == "" {
					return refused(cmd, fmt.Errorf("--from (a revert after the run has ended) is MySQL/MariaDB only and needs the migration's --alter; on PostgreSQL revert within --revert-window"))
				}
				cfg := migration.Config{Engine: tf.engine, Conn: tf.conn, Schema: tf.schema, Table: tf.table, Alter: alter, Execute: execute,
					RevertFrom: from, CutOverLockTimeout: time.Duration(lockTimeout) * time.Second, DefaultRetries: retries,
					Log: logging.New(cmd.ErrOrStderr(), logging.Normal), Out: cmd.OutOrStdout()}
				cfg.MetricsAddress, cfg.MetricsLinger = metrics, linger
				return exitFor(cmd, migration.New(cfg).Run(ctx))
			}
			if socket == "" {
				socket = control.RunSocketPath(tf.engine, tf.conn.Host, tf.conn.Port, tf.conn.Database, tf.schema, tf.table)
			}
			ctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			line := "revert-plan"
			if execute {
				line = "revert"
			}
			reply, err := control.SendWait(ctx, socket, line)
			if err != nil {
				if reply == "" {
					return refused(cmd, fmt.Errorf("no live run with a revert window for %s answers on %s (%v): a window is open only while the run that migrated the table is alive; pass --serve-socket-file if it was started with one, or on MySQL/MariaDB --from and --alter as the migration printed them", table, socket, err))
				}
				fmt.Fprintln(cmd.ErrOrStderr(), reply)
				return exitError(exitFailed)
			}
			if execute {
				reply = "Reverted " + table + ": the run that migrated it swapped the old table back in; its output says where the table with the new definition is kept."
			}
			fmt.Fprintln(cmd.OutOrStdout(), reply)
			return nil
		},
	}
	fl := cmd.Flags()
	conn.register(fl)
	fl.StringVar(&table, "table", "", "the migrated table (required)")
	fl.StringVar(&socket, "serve-socket-file", "", "the run's control socket, if it was started with --serve-socket-file (default: the one a run with --revert-window picks for these connection flags)")
	fl.BoolVar(&execute, "execute", false, "really revert; without it, show what the revert would do")
	fl.DurationVar(&timeout, "timeout", 10*time.Minute, "give up waiting for the revert after this long (the run goes on trying)")
	fl.StringVar(&from, "from", "", "MySQL/MariaDB, after the run has ended: the cut-over's binary log position the migration printed; the log from there is replayed into the old table, which then swaps back")
	fl.StringVar(&alter, "alter", "", "with --from: the migration's --alter (its column renames map the data back)")
	fl.IntVar(&lockTimeout, "cut-over-lock-timeout-seconds", 3, "with --from: longest the swap back holds or waits for its lock per attempt")
	fl.StringVar(&metrics, "metrics-address", "", "with --from: serve Prometheus metrics at http://HOST:PORT/metrics and the status JSON at /status")
	fl.DurationVar(&linger, "metrics-linger", 0, "with --metrics-address: keep serving this long after the revert ends")
	fl.IntVar(&retries, "default-retries", 60, "with --from: swap-back attempts before giving up")
	return cmd
}
