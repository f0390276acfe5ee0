package migration

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/hotswap/hotswap/dialect/postgres"
	"github.com/jackc/pgx/v5"
)

// printPlan prints the new definition, the column map and the row key.
func (e *postgresEngine) printPlan(ctx context.Context, out io.Writer) error {
	m := e.m
	def, err := postgres.DescribeTable(ctx, e.db, m.cfg.Schema, m.shadow)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "New definition of %s (index and constraint names get the table's own at the cut-over):\n%s\n\n", m.tableName(), def)
	fmt.Fprintf(out, "Column map (source -> new):\n")
	for _, p := range e.pairs {
		fmt.Fprintf(out, "  %s -> %s\n", p.Source, p.Target)
	}
	for _, c := range e.dst.Columns {
		if !mapsTo(e.pairs, c.Name) {
			fmt.Fprintf(out, "  (new) %s: filled by its default or generation expression\n", c.Name)
		}
	}
	fmt.Fprintf(out, "\nRow key: primary key (%s)\n", strings.Join(e.srcKey, ", "))
	return nil
}

func (e *postgresEngine) dropShadow(ctx context.Context) error {
	if !e.shadowCreated {
		return nil
	}
	return postgres.DropTable(ctx, e.db, e.m.cfg.Schema, e.m.shadow)
}

func (e *postgresEngine) oldTable() string { return pgx.Identifier{e.m.cfg.Schema, e.m.old}.Sanitize() }

// finish drops the old table when asked and says what was left.
func (e *postgresEngine) finish(ctx context.Context, out io.Writer) error {
	m := e.m
	took := time.Since(m.started).Round(time.Millisecond)
	if m.cfg.OkToDropTable {
		if err := postgres.DropTable(ctx, e.db, m.cfg.Schema, m.old); err != nil {
			fmt.Fprintf(out, "Migration done, but dropping the old table failed: %v\nDrop it yourself: DROP TABLE %s;\n", err, e.oldTable())
			return nil
		}
		fmt.Fprintf(out, "Migration of %s done in %s; the old table was dropped.\n", m.tableName(), took)
		return nil
	}
	fmt.Fprintf(out, "Migration of %s done in %s.\nThe old table is kept as %s; drop it when no longer needed: DROP TABLE %s;\n",
		m.tableName(), took, e.oldTable(), e.oldTable())
	return nil
}

// reportLeftovers tells, after a failed run, which tables remain and what to do.
func (e *postgresEngine) reportLeftovers(ctx context.Context, out io.Writer) {
	m := e.m
	if ok, _ := postgres.TableExists(ctx, e.db, m.cfg.Schema, m.shadow); ok {
		fmt.Fprintf(out, "Left behind: shadow table %s.%s (partial copy). Drop it with DROP TABLE %s; or retry with --initially-drop-ghost-table.\n",
			m.cfg.Schema, m.shadow, pgx.Identifier{m.cfg.Schema, m.shadow}.Sanitize())
	}
	if m.keepForResume {
		fmt.Fprintf(out, "The server went away: the replication slot %s, the publication %s and the checkpoint table %s are kept. Once the server is back, run the same command again with --resume to continue (the slot holds WAL on the server until then), or `hotswap cleanup` to give up.\n", e.slot, e.pub, m.chk)
	} else if e.streamOpened || e.pubCreated {
		fmt.Fprintf(out, "The replication slot %s, the publication %s and the checkpoint table %s are dropped on exit (so this run cannot be resumed; only a crash keeps them for --resume); if that fails, the log says how to drop them.\n", e.slot, e.pub, m.chk)
	}
}
