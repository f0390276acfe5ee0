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

func cleanupCommand() *cobra.Command {
	var conn connFlags
	var table string
	var execute bool
	cmd := &cobra.Command{
		Use:   "cleanup",
		Short: "Show, then with --execute drop, what dead runs left on a table (shadow, sentry, heartbeat, slot, publication)",
		Example: `  hotswap cleanup --host 127.0.0.1 --user hotswap --database shop --table orders
  hotswap cleanup --dsn postgres://hotswap@db1/shop --table public.orders --execute`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			tf, err := conn.resolveTable(table)
			if err != nil {
				return refused(cmd, err)
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			cfg := migration.Config{Engine: tf.engine, Conn: tf.conn, Schema: tf.schema, Table: tf.table, Execute: execute,
				Log: logging.New(cmd.ErrOrStderr(), logging.Normal), Out: cmd.OutOrStdout()}
			if err := migration.Cleanup(ctx, cfg); err != nil {
				if migration.IsRefused(err) {
					return refused(cmd, err)
				}
				fmt.Fprintln(cmd.ErrOrStderr(), "cleanup failed:", err)
				return exitError(exitFailed)
			}
			return nil
		},
	}
	conn.register(cmd.Flags())
	cmd.Flags().StringVar(&table, "table", "", "the table whose leftovers to look for ([schema.]table on PostgreSQL)")
	cmd.Flags().BoolVar(&execute, "execute", false, "drop what was found (without it, only show it)")
	return cmd
}
