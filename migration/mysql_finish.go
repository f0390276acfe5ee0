package migration

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/hotswap/hotswap/schema"

	"github.com/hotswap/hotswap/dialect/mysql"
)

// printPlan prints the new definition, the column map and the row key.
func (e *mysqlEngine) printPlan(ctx context.Context, out io.Writer) error {
	m := e.m
	ddl, err := mysql.ShowCreate(ctx, e.db, m.cfg.Conn.Database, m.shadow)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "New definition of %s.%s:\n%s\n\n", m.cfg.Conn.Database, m.cfg.Table,
		strings.Replace(ddl, mysql.Quote(m.shadow), mysql.Quote(m.cfg.Table), 1))
	fmt.Fprintf(out, "Column map (source -> new):\n")
	for _, p := range e.pairs {
		fmt.Fprintf(out, "  %s -> %s\n", p.Source, p.Target)
	}
	for _, c := range e.dst.Columns {
		if !mapsTo(e.pairs, c.Name) {
			fmt.Fprintf(out, "  (new) %s: filled by its default or generation expression\n", c.Name)
		}
	}
	fmt.Fprintf(out, "\nRow key: %s (%s)", e.srcKey.Name, strings.Join(e.srcKey.Columns, ", "))
	if ix, ok := e.dst.Index(e.dstKey.Name); ok && len(ix.Columns) > len(e.dstKey.Columns) {
		fmt.Fprintf(out, "; in the new table, the leading columns of %s (%s)", ix.Name, strings.Join(ix.Columns, ", "))
	}
	fmt.Fprintln(out)
	return nil
}

func mapsTo(pairs []schema.ColumnPair, target string) bool {
	for _, p := range pairs {
		if strings.EqualFold(p.Target, target) {
			return true
		}
	}
	return false
}

// finish drops the old table when asked and says what was left.
func (e *mysqlEngine) finish(ctx context.Context, out io.Writer) error {
	m := e.m
	db := m.cfg.Conn.Database
	if m.cfg.OkToDropTable {
		if err := mysql.DropTable(ctx, e.db, db, m.old); err != nil {
			fmt.Fprintf(out, "Migration done, but dropping the old table failed: %v\nDrop it yourself: DROP TABLE %s.%s;\n",
				err, mysql.Quote(db), mysql.Quote(m.old))
			return nil
		}
		fmt.Fprintf(out, "Migration of %s.%s done in %s; the old table was dropped.\n", db, m.cfg.Table, time.Since(m.started).Round(time.Millisecond))
		return nil
	}
	fmt.Fprintf(out, "Migration of %s.%s done in %s.\nThe old table is kept as %s.%s; drop it when no longer needed: DROP TABLE %s.%s;\n",
		db, m.cfg.Table, time.Since(m.started).Round(time.Millisecond), db, m.old, mysql.Quote(db), mysql.Quote(m.old))
	return nil
}

// reportLeftovers tells, after a failed run, which tables remain and what to do.
func (e *mysqlEngine) reportLeftovers(ctx context.Context, out io.Writer) {
	m := e.m
	db := m.cfg.Conn.Database
	if _, err := mysql.TableExists(ctx, e.db, db, m.shadow); err != nil {
		fmt.Fprintf(out, "Could not look at what is left (%v). Once the server answers: run the same command again with --resume to continue from the checkpoint table %s.%s, or `hotswap cleanup` to give up.\n", err, db, m.chk)
		return
	}
	if ok, _ := mysql.TableExists(ctx, e.db, db, m.shadow); ok {
		fmt.Fprintf(out, "Left behind: shadow table %s.%s (partial copy). Drop it with DROP TABLE %s.%s; or retry with --initially-drop-ghost-table.\n",
			db, m.shadow, mysql.Quote(db), mysql.Quote(m.shadow))
	}
	if ok, _ := mysql.TableExists(ctx, e.db, db, m.old); ok {
		fmt.Fprintf(out, "Left behind: cut-over sentry %s.%s. Drop it with DROP TABLE %s.%s; or retry with --initially-drop-old-table.\n",
			db, m.old, mysql.Quote(db), mysql.Quote(m.old))
	}
	if ok, _ := mysql.TableExists(ctx, e.db, db, m.chk); ok {
		fmt.Fprintf(out, "Left behind: checkpoint table %s.%s. To continue where the run stopped, run the same command again with --resume.\n", db, m.chk)
	}
}

func (e *mysqlEngine) dropShadow(ctx context.Context) error {
	if !e.shadowCreated {
		return nil
	}
	return mysql.DropTable(ctx, e.db, e.m.cfg.Conn.Database, e.m.shadow)
}
