package mysql

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	dialect "github.com/hotswap/hotswap/dialect/mysql"
	"github.com/hotswap/hotswap/engine"
)

// PrintPlan prints the new definition, the column map and the row key.
func (e *Engine) PrintPlan(ctx context.Context, out io.Writer) error {
	db, table, shadow := e.spec.Conn.Database, e.spec.Table, e.plan.Shadow
	ddl, err := dialect.ShowCreate(ctx, e.db, db, shadow)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "New definition of %s.%s:\n%s\n\n", db, table,
		strings.Replace(ddl, dialect.Quote(shadow), dialect.Quote(table), 1))
	newColumns := make([]string, len(e.dst.Columns))
	for i, c := range e.dst.Columns {
		newColumns[i] = c.Name
	}
	engine.PrintColumnMap(out, e.pairs, newColumns)
	fmt.Fprintf(out, "\nRow key: %s (%s)", e.srcKey.Name, strings.Join(e.srcKey.Columns, ", "))
	if ix, ok := e.dst.Index(e.dstKey.Name); ok && len(ix.Columns) > len(e.dstKey.Columns) {
		fmt.Fprintf(out, "; in the new table, the leading columns of %s (%s)", ix.Name, strings.Join(ix.Columns, ", "))
	}
	fmt.Fprintln(out)
	e.printForeignKeys(out)
	for _, t := range e.triggers {
		fmt.Fprintf(out, "Trigger %s (%s %s): moved to the new table at the cut-over, with its definer, body and sql_mode; it never fires for hotswap's own writes.\n",
			t.Name, t.Timing, t.Event)
	}
	return nil
}

// Finish drops the old table when asked and says what was left.
func (e *Engine) Finish(ctx context.Context, out io.Writer, took time.Duration) error {
	db, table, old := e.spec.Conn.Database, e.spec.Table, e.plan.Old
	e.nameCarriedKeys(ctx, out)
	e.nameCarriedTriggers(ctx, out) // before the old table, which holds their names, may be dropped
	if e.spec.OkToDropTable {
		if err := dialect.DropTable(ctx, e.db, db, old); err != nil {
			fmt.Fprintf(out, "Migration done, but dropping the old table failed: %v\nDrop it yourself: %s;\n",
				err, dialect.DropTableSQL(db, old))
			return nil
		}
		fmt.Fprintf(out, "Migration of %s.%s done in %s; the old table was dropped.\n", db, table, took.Round(time.Millisecond))
		return nil
	}
	fmt.Fprintf(out, "Migration of %s.%s done in %s.\nThe old table is kept as %s.%s; drop it when no longer needed: %s;\n",
		db, table, took.Round(time.Millisecond), db, old, dialect.DropTableSQL(db, old))
	if e.cutPos != nil && len(e.keys)+len(e.children)+len(e.triggers) == 0 { // hotswap revert does not carry them back yet
		fmt.Fprintf(out, "To revert while the old table and the server's binary log from the cut-over are kept (same connection flags):\n  hotswap revert --table %s --alter %s --from %s --execute\n",
			shellQuote(table), shellQuote(e.spec.Alter), e.cutPos)
	}
	return nil
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// ReportLeftovers tells, after a failed run, which tables remain and what
// to do. MySQL keeps nothing else for a resume: keptForResume changes
// nothing here.
func (e *Engine) ReportLeftovers(ctx context.Context, out io.Writer, keptForResume bool) {
	db, p := e.spec.Conn.Database, e.plan
	if _, err := dialect.TableExists(ctx, e.db, db, p.Shadow); err != nil {
		fmt.Fprintf(out, "Could not look at what is left (%v). Once the server answers: run the same command again with --resume to continue from the checkpoint table %s.%s, or `hotswap cleanup` to give up.\n", err, db, p.Checkpoint)
		return
	}
	if ok, _ := dialect.TableExists(ctx, e.db, db, p.Shadow); ok {
		fmt.Fprintf(out, "Left behind: shadow table %s.%s (partial copy). Drop it with %s; or retry with --initially-drop-ghost-table.\n",
			db, p.Shadow, dialect.DropTableSQL(db, p.Shadow))
	}
	if ok, _ := dialect.TableExists(ctx, e.db, db, p.Old); ok {
		fmt.Fprintf(out, "Left behind: cut-over sentry %s.%s. Drop it with %s; or retry with --initially-drop-old-table.\n",
			db, p.Old, dialect.DropTableSQL(db, p.Old))
	}
	if ok, _ := dialect.TableExists(ctx, e.db, db, p.Checkpoint); ok {
		fmt.Fprintf(out, "Left behind: checkpoint table %s.%s. To continue where the run stopped, run the same command again with --resume.\n", db, p.Checkpoint)
	}
}

func (e *Engine) DropShadow(ctx context.Context) error {
	if !e.shadowCreated {
		return nil
	}
	return dialect.DropTable(ctx, e.db, e.spec.Conn.Database, e.plan.Shadow)
}
