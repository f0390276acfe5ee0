package postgres

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	dialect "github.com/hotswap/hotswap/dialect/postgres"
	"github.com/hotswap/hotswap/engine"
)

// PrintPlan prints the new definition, the column map and the row key.
func (e *Engine) PrintPlan(ctx context.Context, out io.Writer) error {
	def, err := dialect.DescribeTable(ctx, e.db, e.spec.Schema, e.plan.Shadow)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "New definition of %s (index and constraint names get the table's own at the cut-over):\n%s\n\n", e.spec.TableName, def)
	newColumns := make([]string, len(e.dst.Columns))
	for i, c := range e.dst.Columns {
		newColumns[i] = c.Name
	}
	engine.PrintColumnMap(out, e.pairs, newColumns)
	fmt.Fprintf(out, "\nRow key: primary key (%s)\n", strings.Join(e.srcKey, ", "))
	e.printDependents(out)
	return nil
}

func (e *Engine) DropShadow(ctx context.Context) error {
	if !e.shadowCreated {
		return nil
	}
	return dialect.DropTable(ctx, e.db, e.spec.Schema, e.plan.Shadow)
}

func (e *Engine) oldTable() string { return dialect.QualifiedName(e.spec.Schema, e.plan.Old) }

// Finish drops the old table when asked and says what was left; took is
// the run's duration.
func (e *Engine) Finish(ctx context.Context, out io.Writer, took time.Duration) error {
	took = took.Round(time.Millisecond)
	e.validateForeignKeys(ctx, out)
	if e.spec.OkToDropTable {
		if err := dialect.DropTable(ctx, e.db, e.spec.Schema, e.plan.Old); err != nil {
			fmt.Fprintf(out, "Migration done, but dropping the old table failed: %v\nDrop it yourself: %s;\n", err, dialect.DropTableSQL(e.spec.Schema, e.plan.Old))
			return nil
		}
		fmt.Fprintf(out, "Migration of %s done in %s; the old table was dropped.\n", e.spec.TableName, took)
		return nil
	}
	fmt.Fprintf(out, "Migration of %s done in %s.\nThe old table is kept as %s; drop it when no longer needed: %s;\n",
		e.spec.TableName, took, e.oldTable(), dialect.DropTableSQL(e.spec.Schema, e.plan.Old))
	return nil
}

// ReportLeftovers tells, after a failed run, which tables remain and what
// to do; keptForResume: the slot, publication and checkpoint are kept.
func (e *Engine) ReportLeftovers(ctx context.Context, out io.Writer, keptForResume bool) {
	s, shadow := e.spec.Schema, e.plan.Shadow
	if ok, _ := dialect.TableExists(ctx, e.db, s, shadow); ok {
		fmt.Fprintf(out, "Left behind: shadow table %s.%s (partial copy). Drop it with %s; or retry with --initially-drop-ghost-table.\n",
			s, shadow, dialect.DropTableSQL(s, shadow))
	}
	if keptForResume {
		fmt.Fprintf(out, "The server went away: the replication slot %s, the publication %s and the checkpoint table %s are kept. Once the server is back, run the same command again with --resume to continue (the slot holds WAL on the server until then), or `hotswap cleanup` to give up.\n", e.slot, e.pub, e.plan.Checkpoint)
	} else if e.streamOpened || e.pubCreated {
		fmt.Fprintf(out, "The replication slot %s, the publication %s and the checkpoint table %s are dropped on exit (so this run cannot be resumed; only a crash keeps them for --resume); if that fails, the log says how to drop them.\n", e.slot, e.pub, e.plan.Checkpoint)
	}
}
