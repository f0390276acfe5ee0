package mysql

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	dialect "github.com/hotswap/hotswap/dialect/mysql"
	"github.com/hotswap/hotswap/job"
)

// checkForeignKeys reads the table's foreign keys to its parents, which the
// cut-over carries to the new table, and refuses what it cannot carry yet:
// keys of other tables referencing this one, keys whose parent's changes
// cascade into the table (the server does not write a cascade's changes to
// the binary log, so the shadow would miss them), an ALTER dropping one, a
// name too long for the shadow's, a revert window.
func (e *Engine) checkForeignKeys(ctx context.Context) error {
	c := e.spec
	db := c.Conn.Database
	referencing, err := dialect.ReferencingKeys(ctx, e.db, db, c.Table)
	if err != nil {
		return &job.Refused{Err: err}
	}
	if len(referencing) > 0 {
		return job.Refuse("foreign keys reference %s.%s (%s): on MySQL and MariaDB hotswap does not re-point other tables' keys at the new table yet (it does on PostgreSQL); drop them, migrate, and add them again, or use another tool",
			db, c.Table, strings.Join(referencing, ", "))
	}
	keys, err := dialect.ReadForeignKeys(ctx, e.db, db, c.Table)
	if err != nil || len(keys) == 0 {
		return asRefused(err)
	}
	switch {
	case e.alter.DropsForeignKey:
		return job.Refuse("the ALTER drops a foreign key of %s.%s: drop it first with a plain ALTER TABLE %s DROP FOREIGN KEY <name> (the server does that in place, at once), then run hotswap with the rest",
			db, c.Table, dialect.Quote(c.Table))
	case c.RevertFrom != "" || c.RevertWindow > 0:
		return job.Refuse("%s.%s has foreign keys: hotswap carries them to the new table, but not yet with --revert-window or hotswap revert; migrate it without a revert window", db, c.Table)
	}
	for _, k := range keys {
		if k.Cascades() {
			return job.Refuse("foreign key %s of %s.%s references %s ON DELETE %s ON UPDATE %s: the server does not write the changes a cascade makes to the binary log, so the new table would miss them; hotswap carries RESTRICT and NO ACTION keys on MySQL and MariaDB",
				k.Name, db, c.Table, k.RefTable, k.OnDelete, k.OnUpdate)
		}
		if dialect.ShadowKeyName(k.Name, c.Table, e.plan.Shadow) == "" {
			return job.Refuse("foreign key %s of %s.%s: its name is longer than %d characters, which hotswap needs to carry it to the new table under a temporary name; rename it first",
				k.Name, db, c.Table, dialect.MaxTriggerName)
		}
	}
	e.origKeys = keys
	e.keys = renameKeyColumns(keys, e.alter.Renames)
	return nil
}

func asRefused(err error) error {
	if err == nil {
		return nil
	}
	return &job.Refused{Err: err}
}

// renameKeyColumns is keys with the columns the ALTER renames under their
// new names, as the server renames them in its keys (the ALTER may not drop
// one: the server refuses that on the probe, see PrepareShadow).
func renameKeyColumns(keys []dialect.ForeignKey, renames map[string]string) []dialect.ForeignKey {
	out := make([]dialect.ForeignKey, len(keys))
	for i, k := range keys {
		cols := make([]string, len(k.Columns))
		for j, c := range k.Columns {
			cols[j] = c
			if to, ok := renames[strings.ToLower(c)]; ok {
				cols[j] = to
			}
		}
		k.Columns = cols
		out[i] = k
	}
	return out
}

// shadowKeyName is the name a key carries on the shadow (see
// dialect.ShadowKeyName).
func (e *Engine) shadowKeyName(k dialect.ForeignKey) string {
	return dialect.ShadowKeyName(k.Name, e.spec.Table, e.plan.Shadow)
}

// dropShadowKeys drops the keys of the shadow: the probe's, or those of a
// cut-over attempt a crash interrupted (a --resume). During the copy the
// shadow has none: a key there would refuse the deletes of parents whose
// rows the shadow, behind the table, still holds.
func (e *Engine) dropShadowKeys(ctx context.Context) error {
	return dialect.DropAllForeignKeys(ctx, e.db, e.spec.Conn.Database, e.plan.Shadow)
}

// nameCarriedKeys drops the old table's keys (if the cut-over could not)
// and gives the keys it carried their own names (dialect.
// RestoreForeignKeyNames), retrying while the table is busy; if it still
// fails, the output says what is left and how to finish.
func (e *Engine) nameCarriedKeys(ctx context.Context, out io.Writer) {
	db, table := e.spec.Conn.Database, e.spec.Table
	var err error
	for attempt := 1; ; attempt++ {
		start := time.Now()
		var n int
		n, err = dialect.RestoreForeignKeyNames(ctx, e.db, db, table, e.plan.Shadow, e.plan.Old, e.spec.CutOverLockTimeout)
		if err == nil {
			if n > 0 {
				e.spec.Log.Info().Str("table", table).Int("foreign_keys", n).Dur("took", time.Since(start)).Msg("carried foreign keys named as before")
			}
			return
		}
		if attempt == 5 || ctx.Err() != nil {
			break
		}
		select {
		case <-ctx.Done():
		case <-time.After(time.Duration(attempt) * 200 * time.Millisecond):
		}
	}
	e.spec.Log.Warn().Err(err).Str("table", table).Msg("the carried foreign keys are not all named as before")
	fmt.Fprintf(out, "The foreign keys of %s.%s hold on the new table, but some keep temporary names (suffix %s), or the old table %s still has keys: %v\nFinish with `hotswap alter ... --resume` while the checkpoint table is there, or `hotswap cleanup --table %s --execute`.\n",
		db, table, dialect.TriggerSuffix, e.plan.Old, err, table)
}

// printForeignKeys tells, in a dry run, what the cut-over does to each key.
func (e *Engine) printForeignKeys(out io.Writer) {
	for _, k := range e.keys {
		fmt.Fprintf(out, "Foreign key %s (%s) REFERENCES %s (%s): added to the new table at the cut-over while %s is read-locked (writes to it wait those milliseconds), then dropped from the old table.\n",
			k.Name, strings.Join(k.Columns, ", "), k.RefTable, strings.Join(k.RefColumns, ", "), k.RefTable)
	}
}
