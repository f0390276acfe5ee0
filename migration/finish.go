package migration

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hotswap/hotswap/dialect/mysql"
)

// dryRun prints the plan and drops the shadow it made to validate the ALTER.
func (m *Migration) dryRun(ctx context.Context) error {
	ddl, err := mysql.ShowCreate(ctx, m.db, m.cfg.Conn.Database, m.shadow)
	if err != nil {
		return m.refuseAndDrop(err)
	}
	out := m.cfg.Out
	fmt.Fprintf(out, "Dry run: nothing was changed (the shadow table used to check the ALTER was dropped).\n\n")
	fmt.Fprintf(out, "New definition of %s.%s:\n%s\n\n", m.cfg.Conn.Database, m.cfg.Table,
		strings.Replace(ddl, mysql.Quote(m.shadow), mysql.Quote(m.cfg.Table), 1))
	fmt.Fprintf(out, "Column map (source -> new):\n")
	for _, p := range m.pairs {
		fmt.Fprintf(out, "  %s -> %s\n", p.Source, p.Target)
	}
	for _, c := range m.dst.Columns {
		if !m.mapsTo(c.Name) {
			fmt.Fprintf(out, "  (new) %s: filled by its default or generation expression\n", c.Name)
		}
	}
	fmt.Fprintf(out, "\nRow key: %s (%s)\n", m.srcKey.Name, strings.Join(m.srcKey.Columns, ", "))
	fmt.Fprintf(out, "Estimated rows: %d\n", m.estimate)
	fmt.Fprintf(out, "Run again with --execute to migrate.\n")
	if err := m.dropShadow(); err != nil {
		return err
	}
	m.setState(StateDone)
	return nil
}

func (m *Migration) mapsTo(target string) bool {
	for _, p := range m.pairs {
		if strings.EqualFold(p.Target, target) {
			return true
		}
	}
	return false
}

// finish drops the old table when asked and says what was left.
func (m *Migration) finish(ctx context.Context) error {
	db := m.cfg.Conn.Database
	m.setState(StateDone)
	if m.cfg.OkToDropTable {
		if err := mysql.DropTable(ctx, m.db, db, m.old); err != nil {
			fmt.Fprintf(m.cfg.Out, "Migration done, but dropping the old table failed: %v\nDrop it yourself: DROP TABLE %s.%s;\n",
				err, mysql.Quote(db), mysql.Quote(m.old))
			return nil
		}
		fmt.Fprintf(m.cfg.Out, "Migration of %s.%s done in %s; the old table was dropped.\n", db, m.cfg.Table, time.Since(m.started).Round(time.Millisecond))
		return nil
	}
	fmt.Fprintf(m.cfg.Out, "Migration of %s.%s done in %s.\nThe old table is kept as %s.%s; drop it when no longer needed: DROP TABLE %s.%s;\n",
		db, m.cfg.Table, time.Since(m.started).Round(time.Millisecond), db, m.old, mysql.Quote(db), mysql.Quote(m.old))
	return nil
}

// reportLeftovers tells, after a failed run, which tables remain and what to do.
func (m *Migration) reportLeftovers(cause error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	db := m.cfg.Conn.Database
	out := m.cfg.Out
	fmt.Fprintf(out, "Migration of %s.%s FAILED: %v\n", db, m.cfg.Table, cause)
	fmt.Fprintf(out, "The table %s.%s is in place and unchanged.\n", db, m.cfg.Table)
	if ok, _ := mysql.TableExists(ctx, m.db, db, m.shadow); ok {
		fmt.Fprintf(out, "Left behind: shadow table %s.%s (partial copy). Drop it with DROP TABLE %s.%s; or retry with --initially-drop-ghost-table.\n",
			db, m.shadow, mysql.Quote(db), mysql.Quote(m.shadow))
	}
	if ok, _ := mysql.TableExists(ctx, m.db, db, m.old); ok {
		fmt.Fprintf(out, "Left behind: cut-over sentry %s.%s. Drop it with DROP TABLE %s.%s; or retry with --initially-drop-old-table.\n",
			db, m.old, mysql.Quote(db), mysql.Quote(m.old))
	}
	m.cfg.Log.Error().Err(cause).Str("shadow", m.shadow).Msg("migration failed")
}

func (m *Migration) dropShadow() error {
	if !m.shadowCreated {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return mysql.DropTable(ctx, m.db, m.cfg.Conn.Database, m.shadow)
}
