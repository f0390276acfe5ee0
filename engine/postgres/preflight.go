package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	dialect "github.com/hotswap/hotswap/dialect/postgres"
	"github.com/hotswap/hotswap/engine"
	"github.com/hotswap/hotswap/job"
	"github.com/hotswap/hotswap/schema"
)

// pgMaxNameLen is PostgreSQL's identifier limit (NAMEDATALEN - 1).
const pgMaxNameLen = 63

// Connect opens the pool and learns the server.
func (e *Engine) Connect(ctx context.Context) error {
	db, err := dialect.Open(ctx, pgConfig(e.spec.Conn))
	if err != nil {
		return &job.Refused{Err: err}
	}
	e.db = db
	if e.version, err = dialect.ServerVersion(ctx, db); err != nil {
		return &job.Refused{Err: err}
	}
	e.spec.Log.Info().Str("server", "PostgreSQL "+e.version).Str("addr", pgConfig(e.spec.Conn).Addr()).Msg("connected")
	return nil
}

// Preflight checks everything it can before changing anything, and settles
// the run's names and whether it resumes.
func (e *Engine) Preflight(ctx context.Context) (engine.Plan, error) {
	e.plan.Resume = e.spec.Resume
	err := e.preflight(ctx)
	return e.plan, err
}

func (e *Engine) preflight(ctx context.Context) error {
	c := e.spec
	if schema.PostgresTypeUsing(c.Alter) {
		// the expressions are computed where the table is not named as in the
		// user's ALTER (the copy's and the checksum's reads): bare column names
		usings, err := schema.PostgresTypeUsings(schema.PGUnqualifyUsing(c.Alter, c.Table))
		if err != nil {
			return job.Refuse("the ALTER converts a column with TYPE ... USING: %v; run this change with a plain ALTER TABLE", err)
		}
		e.usings = usings
	}
	if err := dialect.CheckServer(ctx, e.db); err != nil {
		return &job.Refused{Err: err}
	}
	if !e.plan.Resume {
		e.warnStraySlots(ctx)
	}
	if err := e.takeRunLock(ctx); err != nil {
		return err
	}
	if err := e.checkTable(ctx); err != nil {
		return err
	}
	// the copy, the resync and the checksum apply each USING expression
	// row by row: one that is not the same for a row every time is refused
	if err := dialect.CheckUsing(ctx, e.db, c.Schema, c.Table, e.usings); err != nil {
		return &job.Refused{Err: err}
	}
	if _, err := dialect.UsingExprs(e.usings, nil, e.src.Key); err != nil { // before the shadow exists
		return &job.Refused{Err: err}
	}
	e.plan.Shadow = schema.DerivedName(c.Table, "new", pgMaxNameLen)
	e.plan.Old = schema.DerivedName(c.Table, "old", pgMaxNameLen)
	// slot names are cluster-wide: the database is part of the name
	e.slot = dialect.SlotName(c.Conn.Database+"."+c.Schema, c.Table)
	e.pub = dialect.PublicationName(c.Conn.Database+"."+c.Schema, c.Table)
	e.plan.Checkpoint = schema.DerivedName(c.Table, "chk", pgMaxNameLen)
	if c.RevertWindow > 0 {
		e.plan.Reverted = schema.DerivedName(c.Table, "rev", pgMaxNameLen)
	}
	if e.plan.Resume {
		if err := e.checkResume(ctx); err != nil {
			return err
		}
		if e.plan.ResumeDone || e.plan.RevertDone {
			return nil // the table is the new one already: nothing to carry
		}
		if e.plan.Resume {
			return e.planDependents(ctx)
		}
	}
	if err := e.planDependents(ctx); err != nil {
		return err
	}
	return e.clearLeftovers(ctx)
}

func (e *Engine) warnStraySlots(ctx context.Context) {
	stray, err := dialect.StraySlots(ctx, e.db, "hotswap_")
	if err != nil || len(stray) == 0 {
		return
	}
	for _, s := range stray {
		e.spec.Log.Warn().Str("slot", s).Msgf("inactive hotswap replication slot from an earlier run keeps WAL on the server: drop it with %s;", dialect.DropSlotSQL(s))
	}
}

func (e *Engine) takeRunLock(ctx context.Context) error {
	conn, err := e.db.Conn(ctx)
	if err != nil {
		return &job.Refused{Err: fmt.Errorf("open lock connection: %w", err)}
	}
	e.lockConn = conn
	got, err := dialect.TryRunLock(ctx, conn, e.spec.Schema, e.spec.Table)
	if err != nil {
		return &job.Refused{Err: err}
	}
	if !got {
		return job.Refuse("another hotswap is already running on %s (it holds the advisory lock for it); wait for it to end or stop it first", e.spec.TableName)
	}
	return nil
}

func (e *Engine) checkTable(ctx context.Context) error {
	c := e.spec
	t, err := dialect.LoadTable(ctx, e.db, c.Schema, c.Table)
	switch {
	case err != nil:
		return &job.Refused{Err: err}
	case t == nil:
		return job.Refuse("table %s does not exist: check --table (schema.table) and --database", e.spec.TableName)
	case t.Kind == "p":
		return job.Refuse("%s is a partitioned table: migrate its partitions one by one", e.spec.TableName)
	case t.Kind != "r":
		return job.Refuse("%s is not an ordinary table (relkind %q): hotswap alters tables only", e.spec.TableName, t.Kind)
	}
	e.src = t
	if err := dialect.CheckPrivileges(ctx, e.db, c.Schema, c.Table); err != nil {
		return &job.Refused{Err: err}
	}
	ident, err := dialect.ReplicaIdentityKey(ctx, e.db, c.Schema, c.Table)
	if err != nil {
		return &job.Refused{Err: err}
	}
	if t.Key == nil || strings.Join(ident, ",") != strings.Join(t.Key, ",") {
		return job.Refuse("%s: the change stream identifies rows by (%s), the copy by the primary key (%s): hotswap needs them to be the same; set REPLICA IDENTITY DEFAULT",
			e.spec.TableName, strings.Join(ident, ", "), strings.Join(t.Key, ", "))
	}
	objects, err := dialect.ObjectsNotCarried(ctx, e.db, c.Schema, c.Table)
	if err != nil {
		return &job.Refused{Err: err}
	}
	if len(objects) > 0 {
		return job.Refuse("%s has objects bound to it that would stay with the old table after the swap: %s; hotswap cannot carry these over yet: drop them before and recreate them after, or use a blocking ALTER",
			e.spec.TableName, strings.Join(objects, ", "))
	}
	return nil
}

// clearLeftovers refuses a run when tables of the names hotswap needs exist,
// unless the flags allow dropping them (never in a dry run).
func (e *Engine) clearLeftovers(ctx context.Context) error {
	c := e.spec
	var drop []string
	for _, l := range c.ReservedTables(e.plan) {
		exists, err := dialect.TableExists(ctx, e.db, c.Schema, l.Name)
		if err != nil {
			return &job.Refused{Err: err}
		}
		if !exists {
			continue
		}
		if !l.Drop || !c.Execute {
			return job.Refuse("table %s.%s already exists, probably left by an earlier run: drop it, or pass %s with --execute to have it dropped", c.Schema, l.Name, l.Flag)
		}
		drop = append(drop, l.Name)
	}
	slot, err := dialect.WaitSlotFree(ctx, e.db, e.slot, 0)
	if err != nil {
		return &job.Refused{Err: err}
	}
	if slot && (!c.InitiallyDropGhost || !c.Execute) {
		return job.Refuse("the replication slot %s of an earlier run on %s exists (a crashed run keeps it for --resume): resume that run with --resume, or pass --initially-drop-ghost-table with --execute to drop it and start again",
			e.slot, e.spec.TableName)
	}
	for _, name := range drop {
		c.Log.Warn().Str("table", name).Msg("dropping leftover table as asked")
		if err := dialect.DropTable(ctx, e.db, c.Schema, name); err != nil {
			return err
		}
	}
	if slot {
		c.Log.Warn().Str("slot", e.slot).Str("publication", e.pub).Msg("dropping the earlier run's replication slot and publication as asked")
		if err := errors.Join(dialect.DropSlot(ctx, e.db, e.slot), dialect.DropPublication(ctx, e.db, e.pub)); err != nil {
			return err
		}
	}
	return nil
}

// PrepareShadow creates the shadow with the ALTER applied and derives the
// column map and row key from what the server made of it; it returns the
// source's estimated rows.
func (e *Engine) PrepareShadow(ctx context.Context) (int64, error) {
	c := e.spec
	if !e.plan.Resume { // a resume continues with the shadow the run left
		created, err := dialect.CreateShadow(ctx, e.db, c.Schema, c.Table, e.plan.Shadow, c.Alter)
		e.shadowCreated = created
		if err != nil {
			return 0, engine.RefuseAndDrop(err, e.DropShadow)
		}
		if err := dialect.StripForeignKeys(ctx, e.db, c.Schema, e.plan.Shadow); err != nil {
			return 0, engine.RefuseAndDrop(err, e.DropShadow)
		}
	}
	var err error
	if e.dst, err = dialect.LoadTable(ctx, e.db, c.Schema, e.plan.Shadow); err != nil {
		return 0, engine.RefuseAndDrop(err, e.DropShadow)
	}
	e.pairs = dialect.MapColumns(e.src, e.dst)
	if e.srcKey, e.dstKey, err = dialect.ShadowKey(e.src, e.dst, e.pairs); err != nil {
		return 0, engine.RefuseAndDrop(err, e.DropShadow)
	}
	using, err := dialect.UsingExprs(e.usings, e.pairs, e.dstKey)
	if err != nil {
		return 0, engine.RefuseAndDrop(err, e.DropShadow)
	}
	if c.RevertWindow > 0 { // again before the cut-over, in PrepareReverse
		if err := e.checkReversible(ctx); err != nil {
			return 0, engine.RefuseAndDrop(err, e.DropShadow)
		}
	}
	if c.Execute { // derived again by a --resume: nothing to keep
		if e.alterSet, err = dialect.AlterSettings(ctx, e.db, c.Schema, c.Table, c.Alter); err != nil {
			c.Log.Warn().Err(err).Msg("the cut-over will not follow changes made to the table's storage parameters, replica identity or statistics targets during the run; the new table has them as they were at the start, with the ALTER's")
		}
	}
	estimate, _ := dialect.EstimateRows(ctx, e.db, c.Schema, c.Table)
	e.rows = &dialect.Rows{DB: e.db, Schema: c.Schema, Source: c.Table, Shadow: e.plan.Shadow, Pairs: e.pairs,
		KeyColumns: e.srcKey, DstKeyColumns: e.dstKey, SrcTypes: e.src.Types(), DstTypes: e.dst.Types(), Using: using}
	return estimate, nil
}
