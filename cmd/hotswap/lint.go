package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/hotswap/hotswap/logging"
	"github.com/hotswap/hotswap/versions"
	"github.com/spf13/cobra"
)

// lintCommand is hotswap lint: migrate up's safety check alone. It needs
// the database: some rules read the data (rows, NULLs, duplicates), and only
// the pending versions are read.
func lintCommand() *cobra.Command {
	var (
		conn        connFlags
		dir, schema string
		to          uint64
	)
	cmd := &cobra.Command{
		Use:   "lint",
		Short: "Check the pending migration versions for changes that break the running application or lose data; exit 2 on findings",
		Long: `hotswap lint reads every statement of the versions hotswap migrate up would apply (their up
files: a down is the contract step by nature) and reports, with the safe sequence to use instead:

  drop-table            DROP TABLE of a table that exists
  drop-column           ALTER TABLE ... DROP [COLUMN]
  rename-table          RENAME TABLE, ALTER TABLE ... RENAME TO/AS (PostgreSQL also SET SCHEMA)
  rename-column         ALTER TABLE ... RENAME COLUMN, MySQL CHANGE old new
  not-null-no-default   ADD COLUMN ... NOT NULL without DEFAULT on a table with rows; SET NOT NULL
                        (PostgreSQL) or MODIFY/CHANGE ... NOT NULL (MySQL) of a column holding NULLs
  validation-locks      PostgreSQL ADD FOREIGN KEY or CHECK without NOT VALID; MySQL ADD FOREIGN KEY
  unique-on-duplicates  ADD UNIQUE, CREATE UNIQUE INDEX on columns holding duplicates

A comment in the statement's text waives a rule for it: a line "-- hotswap:allow drop-column"
before it, or after its ";" on the same line. migrate up refuses to run on any other finding
unless --allow-unsafe; migrate plan shows them.`,
		Example: `  hotswap lint --dsn postgres://hotswap@db1:5432/shop --dir migrations`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			engine, c, err := conn.resolve()
			if err != nil {
				return refused(cmd, err)
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			out := cmd.OutOrStdout()
			fs, err := versions.Lint(ctx, versions.Config{Engine: engine, Conn: c, Schema: schema, Dir: dir, To: to,
				Log: logging.New(cmd.ErrOrStderr(), logging.Normal), Out: out})
			if err != nil {
				return migrateExit(cmd, err)
			}
			unsafe := 0
			for _, f := range fs {
				fmt.Fprintln(out, f)
				if !f.Waived {
					unsafe++
				}
			}
			if unsafe > 0 {
				fmt.Fprintf(cmd.ErrOrStderr(), "hotswap lint: %d unsafe change(s) in the pending versions: migrate up refuses them\n", unsafe)
				return exitError(exitRefused)
			}
			fmt.Fprintln(out, "No unsafe changes in the pending versions.")
			return nil
		},
	}
	fl := cmd.Flags()
	conn.register(fl)
	fl.StringVar(&dir, "dir", "migrations", "the directory of migration files (golang-migrate's layout)")
	fl.StringVar(&schema, "schema", "public", "PostgreSQL: the schema of the history table and of unqualified names")
	fl.Uint64Var(&to, "to", 0, "up to this version (default: the last)")
	return cmd
}
