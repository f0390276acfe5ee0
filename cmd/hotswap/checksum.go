package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/hotswap/hotswap/logging"
	"github.com/hotswap/hotswap/migration"
	"github.com/spf13/cobra"
)

func checksumCommand() *cobra.Command {
	var conn connFlags
	var tables []string
	var shadow string
	var threads, chunkSize int
	cmd := &cobra.Command{
		Use:   "checksum",
		Short: "Compare a table with its shadow (or another copy) at one consistent moment, without a run",
		Long: `checksum compares a table with its shadow table (by default _<table>_new, the one a run
creates) over the columns both have, matching rows by a key both have, chunk by chunk on
--threads connections that all see one moment. Writers are held only while the snapshots
start (MySQL/MariaDB: LOCK TABLES ... READ on both tables; PostgreSQL needs no lock).

Exit status: 0 equal; 1 rows differ (or the check failed); 2 refused before comparing
(bad flags, a table missing, no common key, a run live on the table).`,
		Example: `  hotswap checksum --host 127.0.0.1 --user hotswap --database shop --table orders
  hotswap checksum --dsn postgres://hotswap@db1/shop --table public.orders --shadow orders_copy --threads 4`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			tfs, err := conn.resolveTables(tables)
			if err != nil {
				return refused(cmd, err)
			}
			if shadow != "" && len(tfs) > 1 {
				return refused(cmd, fmt.Errorf("--shadow names one table's copy: give one --table with it, or leave --shadow out to compare each table with its own shadow"))
			}
			if threads < 1 {
				return refused(cmd, fmt.Errorf("--threads %d: want 1 or more", threads))
			}
			if chunkSize < 1 {
				return refused(cmd, fmt.Errorf("--chunk-size %d: want 1 or more", chunkSize))
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			// The tables of a several-table run are compared one after another,
			// each at a moment of its own.
			failed := false
			for _, tf := range tfs {
				cfg := migration.Config{Engine: tf.engine, Conn: tf.conn, Schema: tf.schema, Table: tf.table, Threads: threads, ChunkSize: chunkSize,
					Log: logging.New(cmd.ErrOrStderr(), logging.Normal), Out: cmd.OutOrStdout()}
				rep, err := migration.Checksum(ctx, cfg, shadow)
				switch {
				case migration.IsRefused(err):
					return refused(cmd, fmt.Errorf("%s: %w", tf.table, err))
				case err != nil:
					fmt.Fprintf(cmd.ErrOrStderr(), "checksum of %s failed: %v\n", tf.table, err)
					return exitError(exitFailed)
				case !rep.Equal():
					fmt.Fprintf(cmd.ErrOrStderr(), "hotswap: %s between %s and %s (first differing key %s)\n",
						rep.Differing(), rep.Table, rep.Shadow, rep.KeyText(rep.Diffs[0].Key))
					failed = true
				}
			}
			if failed {
				return exitError(exitFailed)
			}
			return nil
		},
	}
	conn.register(cmd.Flags())
	cmd.Flags().StringArrayVar(&tables, "table", nil, "the table to compare ([schema.]table on PostgreSQL); repeat it to compare each table of a several-table run with its shadow")
	cmd.Flags().StringVar(&shadow, "shadow", "", "the table to compare it with, in the same database (schema) (default _<table>_new, the shadow of a run)")
	cmd.Flags().IntVar(&threads, "threads", defaultThreads(), "chunks compared in parallel, one connection each")
	cmd.Flags().IntVar(&chunkSize, "chunk-size", 10_000, "rows per compared chunk")
	return cmd
}
