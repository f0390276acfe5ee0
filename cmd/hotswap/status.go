package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/hotswap/hotswap/engine"
	"github.com/hotswap/hotswap/internal/dbconn"
	"github.com/spf13/cobra"
)

// statusTimeout bounds the look at one server: status only reads
// catalogs, but a row estimate may wait behind a cut-over's lock.
const statusTimeout = time.Minute

// statusServer is one server status looks at; name never holds a password.
type statusServer struct {
	name, engine string
	conn         dbconn.Config
}

// serverRuns is what status found on one server (its JSON form too).
type serverRuns struct {
	Server string           `json:"server"`
	Engine string           `json:"engine"`
	Runs   []engine.RunInfo `json:"runs"`
	Error  string           `json:"error,omitempty"`
}

func statusCommand() *cobra.Command {
	var conn connFlags
	var schema, env, config string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status",
		Short: "List every hotswap run live or left on a server: run locks, checkpoints, leftover tables, unfinished versions, PostgreSQL slots",
		Example: `  hotswap status --host 127.0.0.1 --user hotswap --database shop
  hotswap status --dsn postgres://hotswap@db1/shop --json
  hotswap status --env prod --config hotswap.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			servers, err := statusServers(cmd, &conn, env, config)
			if err != nil {
				return refused(cmd, err)
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			found := make([]serverRuns, 0, len(servers))
			for _, s := range servers {
				found = append(found, inventoryOf(ctx, s, schema))
			}
			if err := printStatus(cmd.OutOrStdout(), found, asJSON); err != nil {
				return err
			}
			for _, f := range found {
				if f.Error != "" {
					fmt.Fprintf(cmd.ErrOrStderr(), "hotswap status: %s: %s\n", f.Server, f.Error)
				}
			}
			if failed(found) {
				return exitError(exitFailed)
			}
			return nil
		},
	}
	conn.register(cmd.Flags())
	cmd.Flags().StringVar(&schema, "schema", "", "PostgreSQL: only this schema (default: every schema of the database)")
	cmd.Flags().StringVar(&env, "env", "", "the environment of --config whose servers to look at, in place of the connection flags")
	cmd.Flags().StringVar(&config, "config", "hotswap.yaml", "the environments file --env reads")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON (a list of servers, each with its runs) instead of a table")
	return cmd
}

// statusServers is the server of the connection flags, or each server of
// --env's environment (as migrate takes them).
func statusServers(cmd *cobra.Command, conn *connFlags, env, config string) ([]statusServer, error) {
	if env == "" {
		kind, c, err := conn.resolve()
		return []statusServer{{name: c.Addr() + "/" + c.Database, engine: kind, conn: c}}, err
	}
	if conn.dsn != "" || cmd.Flags().Changed("host") || cmd.Flags().Changed("database") {
		return nil, fmt.Errorf("--env takes its servers from %s: leave out --dsn, --host and --database", config)
	}
	migrate, err := migrateFlagSet()
	if err != nil {
		return nil, err
	}
	e, err := loadEnvironment(migrate, config, env)
	if err != nil {
		return nil, err
	}
	out := make([]statusServer, 0, len(e.Servers))
	for _, dsn := range e.Servers {
		cf := connFlags{dsn: dsn, passwordFile: conn.passwordFile, password: conn.password}
		kind, c, err := cf.resolve()
		if err != nil {
			return nil, fmt.Errorf("--env %s: server %s: %w", env, dsn, err)
		}
		out = append(out, statusServer{name: c.Addr() + "/" + c.Database, engine: kind, conn: c})
	}
	return out, nil
}

// migrateFlagSet is a migrate command of no other use, with every flag an
// environment may set (migrate's, its subcommands' persistent ones merged
// in): loadEnvironment checks and applies them there, and status reads
// only the servers.
func migrateFlagSet() (*cobra.Command, error) {
	up, _, err := migrateCommand().Find([]string{"up"})
	if err != nil {
		return nil, fmt.Errorf("read migrate's flags: %w", err)
	}
	return up, up.ParseFlags(nil) // ParseFlags merges the persistent flags
}

// inventoryOf looks at one server; a failure is kept with it, so that the
// other servers of an environment are still looked at.
func inventoryOf(ctx context.Context, s statusServer, schema string) serverRuns {
	ctx, cancel := context.WithTimeout(ctx, statusTimeout)
	defer cancel()
	runs, err := engine.Inventory(ctx, s.engine, s.conn, schema)
	found := serverRuns{Server: s.name, Engine: s.engine, Runs: runs}
	if found.Runs == nil {
		found.Runs = []engine.RunInfo{}
	}
	if err != nil {
		found.Error = fmt.Sprintf("list the runs: %v", err)
	}
	return found
}

func failed(found []serverRuns) bool {
	for _, f := range found {
		if f.Error != "" {
			return true
		}
	}
	return false
}

func printStatus(out io.Writer, found []serverRuns, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(found)
	}
	for i, f := range found {
		if i > 0 {
			fmt.Fprintln(out)
		}
		printServerRuns(out, f)
	}
	return nil
}

// printServerRuns is one server's table, then what to do about each run
// left behind.
func printServerRuns(out io.Writer, f serverRuns) {
	switch {
	case f.Error != "":
		fmt.Fprintf(out, "%s: could not look (%s)\n", f.Server, f.Error)
		return
	case len(f.Runs) == 0:
		fmt.Fprintf(out, "no hotswap runs found on %s\n", f.Server)
		return
	}
	fmt.Fprintf(out, "%s: %d found\n", f.Server, len(f.Runs))
	tw := tabwriter.NewWriter(out, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "KIND\tTABLE\tSTATE\tHELD BY\tPROGRESS\tCHECKPOINT\tON THE SERVER")
	for _, r := range f.Runs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Kind, runTable(r), r.State, dash(r.HeldBy), dash(progress(r)),
			dash(checkpointAge(r.Checkpointed)), dash(strings.Join(r.Objects, ", ")))
	}
	tw.Flush()
	hints := false
	for _, r := range f.Runs {
		if r.Hint == "" {
			continue
		}
		if !hints {
			fmt.Fprintln(out, "\nWhat to do:")
			hints = true
		}
		fmt.Fprintf(out, "  %s %s: %s\n", r.Kind, runTable(r), r.Hint)
	}
}

// runTable is schema.table, the schema alone when no table is known.
func runTable(r engine.RunInfo) string {
	switch {
	case r.Table == "" && r.Schema == "":
		return "-"
	case r.Table == "":
		return r.Schema
	}
	return r.Schema + "." + r.Table
}

// progress is what a run has done, as far as its kind records it.
func progress(r engine.RunInfo) string {
	switch {
	case r.Kind == engine.KindMigrate:
		return r.Detail
	case r.WALRetained != nil:
		return fmt.Sprintf("retains %s of WAL", megabytes(*r.WALRetained))
	case r.Checkpointed.IsZero():
		return ""
	case r.Kind == engine.KindBackfill:
		return fmt.Sprintf("%d rows changed, %s covered", r.Rows, ofEstimate(r.Covered, r.Estimate, r.Done))
	case r.Done:
		return fmt.Sprintf("copy done (%d rows)", r.Rows)
	}
	return ofEstimate(r.Rows, r.Estimate, false) + " copied"
}

// ofEstimate is "n of ~est rows (p%)"; the estimate is the server's, so the
// percentage stays below 100 until the work is done.
func ofEstimate(n, est int64, done bool) string {
	if est <= 0 || done {
		return fmt.Sprintf("%d rows", n)
	}
	return fmt.Sprintf("%d of ~%d rows (%d%%)", n, est, min(99, n*100/est))
}

func megabytes(b int64) string { return fmt.Sprintf("%.1f MB", float64(b)/(1<<20)) }

// checkpointAge is when the checkpoint was written, in UTC, and how long ago.
func checkpointAge(at time.Time) string {
	if at.IsZero() {
		return ""
	}
	return fmt.Sprintf("%s (%s ago)", at.UTC().Format(time.DateTime), time.Since(at).Round(time.Second))
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
