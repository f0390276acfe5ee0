package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"
)

// exitError carries an exit status through cobra once the message is printed.
type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

func asExit(err error, target *exitError) bool { return errors.As(err, target) }

func rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "hotswap",
		Short: "Online schema changes for big, busy MySQL/MariaDB and PostgreSQL tables",
		Long: `hotswap changes a table while the application keeps writing to it: it creates a shadow
table with the new schema, follows the binary log (PostgreSQL: logical replication), copies
rows in chunks, replays concurrent changes, and swaps the tables atomically.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(versionCommand(), alterCommand(), controlCommand(), cleanupCommand(), checksumCommand(), backfillCommand(), revertCommand(), migrateCommand(), lintCommand(), statusCommand())
	return root
}

func versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintln(cmd.OutOrStdout(), "hotswap", version)
		},
	}
}
