package mysql

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/hotswap/hotswap/binlog"
	dialect "github.com/hotswap/hotswap/dialect/mysql"
	"github.com/hotswap/hotswap/job"
	"github.com/hotswap/hotswap/schema"
)

// checkForeignKeys reads the table's foreign keys to its parents and those
// of other tables referencing it, which the cut-over carries to the new
// table (and the parents whose changes cascade into the table, which the
// stream follows), and refuses what it cannot carry yet: a key of the
// table to itself, keys between tables of one run, an ALTER dropping a key or
// renaming a referenced column, names too long for the temporary ones, a
// revert window.
func (e *Engine) checkForeignKeys(ctx context.Context) error {
	c := e.spec
	db := c.Conn.Database
	if e.plan.Resume && c.Execute { // a crash in a cut-over may have left other tables' keys on the shadow
		if n, err := dialect.RestoreChildKeys(ctx, e.db, db, c.Table, e.plan.Shadow, c.CutOverLockTimeout); err != nil {
			return &job.Refused{Err: err}
		} else if n > 0 {
			c.Log.Warn().Int("foreign_keys", n).Msg("other tables' foreign keys an interrupted cut-over re-pointed at the shadow reference the table again")
		}
	}
	keys, err := dialect.ReadForeignKeys(ctx, e.db, db, c.Table)
	if err != nil {
		return &job.Refused{Err: err}
	}
	children, err := dialect.ReadChildKeys(ctx, e.db, db, c.Table)
	if err != nil || len(keys)+len(children) == 0 {
		return asRefused(err)
	}
	switch {
	case e.alter.DropsForeignKey:
		return job.Refuse("the ALTER drops a foreign key of %s.%s: drop it first with a plain ALTER TABLE %s DROP FOREIGN KEY <name> (the server does that in place, at once), then run hotswap with the rest",
			db, c.Table, dialect.Quote(c.Table))
	case c.RevertFrom != "" || c.RevertWindow > 0:
		return job.Refuse("%s.%s has foreign keys (to it or from it): hotswap carries them to the new table, but not yet with --revert-window or hotswap revert; migrate it without a revert window", db, c.Table)
	}
	for _, k := range keys {
		if err := e.checkOwnKey(k); err != nil {
			return err
		}
	}
	for _, k := range children {
		if err := e.checkChildKey(k); err != nil {
			return err
		}
	}
	e.origKeys, e.children = keys, children
	e.keys = renameKeyColumns(keys, e.alter.Renames)
	return e.watchCascades(ctx)
}

// cascadeWatch is a key whose parent's changes cascade into the table, with
// what the stream needs to follow the parent (see binlog.ParentWatch).
type cascadeWatch struct {
	dialect.Cascade
	parent *schema.Table
}

// watchCascades prepares, for each key whose parent's deletes or key
// updates change the table's rows, the following of that parent: the
// server writes the parent's change to the binary log, not the cascade's.
func (e *Engine) watchCascades(ctx context.Context) error {
	e.cascades = nil
	for i, k := range e.origKeys {
		if !k.Cascades() {
			continue
		}
		parent, err := dialect.LoadTable(ctx, e.db, k.RefDatabase, k.RefTable)
		if err != nil {
			return &job.Refused{Err: err}
		}
		e.cascades = append(e.cascades, cascadeWatch{parent: parent, Cascade: dialect.Cascade{
			Parent: dialect.TableName{Database: k.RefDatabase, Table: k.RefTable}, RefColumns: k.RefColumns, Columns: e.keys[i].Columns}})
	}
	return nil
}

// parentWatches are the stream's watches of the cascades' parents: a
// change reaching rows of the table marks the shadow rows it may have
// reached for a resync (dialect.Rows.RowsReached).
func (e *Engine) parentWatches() []binlog.ParentWatch {
	var out []binlog.ParentWatch
	for _, c := range e.cascades {
		out = append(out, binlog.ParentWatch{Database: c.Parent.Database, Table: c.Parent.Table,
			Key: keyDecoder(c.parent, schema.Index{Columns: c.RefColumns}),
			Changed: func(ctx context.Context, values [][]any) error {
				keys, err := e.rows.RowsReached(ctx, c.Cascade, values)
				if err != nil || len(keys) == 0 {
					return err
				}
				return e.sink.Add(ctx, keys)
			}})
	}
	return out
}

// cascadeColumns are the columns of the keys a parent's change cascades
// through, as the shadow has them: the shadow keeps their indexes during
// the copy, for RowsReached's lookups.
func (e *Engine) cascadeColumns() [][]string {
	var out [][]string
	for _, c := range e.cascades {
		out = append(out, c.Columns)
	}
	return out
}

// checkOwnKey refuses a key of the table the cut-over cannot carry.
func (e *Engine) checkOwnKey(k dialect.ForeignKey) error {
	db, table := e.spec.Conn.Database, e.spec.Table
	switch {
	case k.RefDatabase == db && k.RefTable == table:
		return job.Refuse("foreign key %s of %s.%s references the table itself: on MySQL and MariaDB hotswap does not carry such keys yet", k.Name, db, table)
	case k.RefDatabase == db && slices.Contains(e.spec.SetTables, k.RefTable):
		return job.Refuse("foreign key %s of %s.%s references %s, which this run changes too: on MySQL and MariaDB keys between the tables of one run are not carried yet; migrate them in separate runs", k.Name, db, table, k.RefTable)
	case dialect.ShadowKeyName(k.Name, table, e.plan.Shadow) == "":
		return job.Refuse("foreign key %s of %s.%s: its name is longer than %d characters, which hotswap needs to carry it to the new table under a temporary name; rename it first",
			k.Name, db, table, dialect.MaxTriggerName)
	}
	return nil
}

// checkChildKey refuses a key of another table referencing this one that
// the cut-over cannot re-point at the new table.
func (e *Engine) checkChildKey(k dialect.ChildKey) error {
	db, table := e.spec.Conn.Database, e.spec.Table
	switch {
	case k.Database == db && slices.Contains(e.spec.SetTables, k.Table):
		return job.Refuse("foreign key %s references %s.%s from %s, which this run changes too: on MySQL and MariaDB keys between the tables of one run are not carried yet; migrate them in separate runs", k.String(db), db, table, k.Table)
	case len(dialect.ChildKeyTempName(k)) > dialect.MaxNameLen:
		return job.Refuse("foreign key %s references %s.%s: its name is longer than %d characters, which hotswap needs to re-point it at the new table under a temporary name; rename it first",
			k.String(db), db, table, dialect.MaxTriggerName)
	}
	for _, col := range k.RefColumns {
		if _, ok := e.alter.Renames[strings.ToLower(col)]; ok {
			return job.Refuse("the ALTER renames column %s of %s.%s, which foreign key %s references: on MySQL and MariaDB hotswap does not follow that yet; rename it in a plain ALTER (in place) or in a run of its own without the key",
				col, db, table, k.String(db))
		}
	}
	return nil
}

// checkChildReferences refuses, once the shadow exists, a key of another
// table that could not reference it as it references the table: a
// referenced column dropped or changed (the server's own ALTER refuses
// that too), or no index left on them.
func (e *Engine) checkChildReferences(ctx context.Context) error {
	db := e.spec.Conn.Database
	for _, k := range e.children {
		for _, col := range k.RefColumns {
			was, _ := e.src.Column(col)
			now, ok := e.dst.Column(col)
			if !ok || now.FullType != was.FullType || now.Collation != was.Collation {
				return job.Refuse("the ALTER drops or changes column %s of %s.%s, which foreign key %s references (the server's own ALTER refuses that too): drop the key first, or keep the column", col, db, e.spec.Table, k.String(db))
			}
		}
		ok, err := dialect.HasIndexOn(ctx, e.db, db, e.plan.Shadow, k.RefColumns)
		if err != nil {
			return err
		}
		if !ok {
			return job.Refuse("the ALTER leaves no index on (%s) of %s.%s, which foreign key %s references: keep one", strings.Join(k.RefColumns, ", "), db, e.spec.Table, k.String(db))
		}
	}
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
	start, n := time.Now(), 0
	err := retryNaming(ctx, func() error {
		own, err := dialect.RestoreForeignKeyNames(ctx, e.db, db, table, e.plan.Shadow, e.plan.Old, e.spec.CutOverLockTimeout)
		if err != nil {
			return err
		}
		children, err := dialect.RestoreChildKeys(ctx, e.db, db, table, e.plan.Shadow, e.spec.CutOverLockTimeout)
		n = own + children
		return err
	})
	if err == nil {
		if n > 0 {
			e.spec.Log.Info().Int("foreign_keys", n).Dur("took", time.Since(start)).Msg("carried foreign keys named as before")
		}
		return
	}
	e.spec.Log.Warn().Err(err).Str("table", table).Msg("the carried foreign keys are not all named as before")
	fmt.Fprintf(out, "The foreign keys of %s.%s hold on the new table, but some keep temporary names (suffix %s), or the old table %s still has keys: %v\nFinish with `hotswap alter ... --resume` while the checkpoint table is there, or `hotswap cleanup --table %s --execute`.\n",
		db, table, dialect.TriggerSuffix, e.plan.Old, err, table)
}

// printForeignKeys tells, in a dry run, what the cut-over does to each key.
func (e *Engine) printForeignKeys(out io.Writer) {
	db := e.spec.Conn.Database
	for _, k := range e.children {
		fmt.Fprintf(out, "Foreign key %s (%s) REFERENCES %s (%s): re-pointed at the new table at the cut-over while %s.%s is write-locked (its readers and writers wait those milliseconds), in place, without a copy; same name.\n",
			k.String(db), strings.Join(k.Columns, ", "), e.spec.Table, strings.Join(k.RefColumns, ", "), k.Database, k.Table)
	}
	for _, k := range e.keys {
		fmt.Fprintf(out, "Foreign key %s (%s) REFERENCES %s (%s): added to the new table at the cut-over while %s is read-locked (writes to it wait those milliseconds), then dropped from the old table.\n",
			k.Name, strings.Join(k.Columns, ", "), k.RefTable, strings.Join(k.RefColumns, ", "), k.RefTable)
		if k.Cascades() {
			fmt.Fprintf(out, "  ON DELETE %s ON UPDATE %s: the stream follows %s too (the server does not log a cascade's changes), and resyncs the rows each of its deletes or key updates reaches.\n",
				k.OnDelete, k.OnUpdate, k.RefTable)
		}
	}
}
