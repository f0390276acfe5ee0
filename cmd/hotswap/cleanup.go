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
	var tables []string
	var execute bool
	cmd := &cobra.Command{
		Use:   "cleanup",
		Short: "Show, then with --execute drop, what dead runs left on a table (shadow, sentry, heartbeat, slot, publication)",
		Example: `  hotswap cleanup --host 127.0.0.1 --user hotswap --database shop --table orders
  hotswap cleanup --dsn postgres://hotswap@db1/shop --table public.orders --execute
  hotswap cleanup --host 127.0.0.1 --user hotswap --database shop --table orders --table order_items --execute`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			tfs, err := conn.resolveTables(tables)
			if err != nil {
				return refused(cmd, err)
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			// Tables of a several-table run are cleaned one after another: each
			// run of the set left its own shadow, sentry, stream and checkpoint.
			for _, tf := range tfs {
				cfg := migration.Config{Engine: tf.engine, Conn: tf.conn, Schema: tf.schema, Table: tf.table, Execute: execute,
					Log: logging.New(cmd.ErrOrStderr(), logging.Normal), Out: cmd.OutOrStdout()}
				if err := migration.Cleanup(ctx, cfg); err != nil {
					if migration.IsRefused(err) {
						return refused(cmd, fmt.Errorf("%s: %w", tf.table, err))
					}
					fmt.Fprintf(cmd.ErrOrStderr(), "cleanup of %s failed: %v\n", tf.table, err)
					return exitError(exitFailed)
				}
			}
			return nil
		},
	}
	conn.register(cmd.Flags())
	cmd.Flags().StringArrayVar(&tables, "table", nil, "a table whose leftovers to look for ([schema.]table on PostgreSQL); repeat it for the tables of a several-table run")
	cmd.Flags().BoolVar(&execute, "execute", false, "drop what was found (without it, only show it)")
	return cmd
}
