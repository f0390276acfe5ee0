package migration

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hotswap/hotswap/dialect/postgres"
	"github.com/hotswap/hotswap/schema"
)

// pgMaxNameLen is PostgreSQL's identifier limit (NAMEDATALEN - 1).
const pgMaxNameLen = 63

// connect opens the pool and learns the server.
func (e *postgresEngine) connect(ctx context.Context) error {
	db, err := postgres.Open(ctx, e.pgConfig())
	if err != nil {
		return &Refused{Err: err}
	}
	e.db = db
	if e.version, err = postgres.ServerVersion(ctx, db); err != nil {
		return &Refused{Err: err}
	}
	e.m.cfg.Log.Info().Str("server", "PostgreSQL "+e.version).Str("addr", e.pgConfig().Addr()).Msg("connected")
	return nil
}

// preflight checks everything it can before changing anything.
func (e *postgresEngine) preflight(ctx context.Context) error {
	c := e.m.cfg
	if schema.PostgresTypeUsing(c.Alter) {
		// the expressions are computed where the table is not named as in the
		// user's ALTER (the copy's and the checksum's reads): bare column names
		usings, err := schema.PostgresTypeUsings(schema.PGUnqualifyUsing(c.Alter, c.Table))
		if err != nil {
			return refuse("the ALTER converts a column with TYPE ... USING: %v; run this change with a plain ALTER TABLE", err)
		}
		e.usings = usings
	}
	if err := postgres.CheckServer(ctx, e.db); err != nil {
		return &Refused{Err: err}
	}
	if !c.Resume {
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
	if err := postgres.CheckUsing(ctx, e.db, c.Schema, c.Table, e.usings); err != nil {
		return &Refused{Err: err}
	}
	if _, err := postgres.UsingExprs(e.usings, nil, e.src.Key); err != nil { // before the shadow exists
		return &Refused{Err: err}
	}
	e.m.shadow = schema.DerivedName(c.Table, "new", pgMaxNameLen)
	e.m.old = schema.DerivedName(c.Table, "old", pgMaxNameLen)
	// slot names are cluster-wide: the database is part of the name
	e.slot = postgres.SlotName(c.Conn.Database+"."+c.Schema, c.Table)
	e.pub = postgres.PublicationName(c.Conn.Database+"."+c.Schema, c.Table)
	e.m.chk = schema.DerivedName(c.Table, "chk", pgMaxNameLen)
	if c.Resume {
		if err := e.checkResume(ctx); err != nil || e.m.cfg.Resume {
			return err
		}
	}
	return e.clearLeftovers(ctx)
}

func (e *postgresEngine) warnStraySlots(ctx context.Context) {
	stray, err := postgres.StraySlots(ctx, e.db, "hotswap_")
	if err != nil || len(stray) == 0 {
		return
	}
	for _, s := range stray {
		e.m.cfg.Log.Warn().Str("slot", s).Msgf("inactive hotswap replication slot from an earlier run keeps WAL on the server: drop it with SELECT pg_drop_replication_slot('%s');", s)
	}
}

func (e *postgresEngine) takeRunLock(ctx context.Context) error {
	conn, err := e.db.Conn(ctx)
	if err != nil {
		return &Refused{Err: fmt.Errorf("open lock connection: %w", err)}
	}
	e.lockConn = conn
	got, err := postgres.TryRunLock(ctx, conn, e.m.cfg.Schema, e.m.cfg.Table)
	if err != nil {
		return &Refused{Err: err}
	}
	if !got {
		return refuse("another hotswap is already running on %s (it holds the advisory lock for it); wait for it to end or stop it first", e.m.tableName())
	}
	return nil
}

func (e *postgresEngine) checkTable(ctx context.Context) error {
	c := e.m.cfg
	t, err := postgres.LoadTable(ctx, e.db, c.Schema, c.Table)
	switch {
	case err != nil:
		return &Refused{Err: err}
	case t == nil:
		return refuse("table %s does not exist: check --table (schema.table) and --database", e.m.tableName())
	case t.Kind == "p":
		return refuse("%s is a partitioned table: migrate its partitions one by one", e.m.tableName())
	case t.Kind != "r":
		return refuse("%s is not an ordinary table (relkind %q): hotswap alters tables only", e.m.tableName(), t.Kind)
	}
	e.src = t
	if err := postgres.CheckPrivileges(ctx, e.db, c.Schema, c.Table); err != nil {
		return &Refused{Err: err}
	}
	ident, err := postgres.ReplicaIdentityKey(ctx, e.db, c.Schema, c.Table)
	if err != nil {
		return &Refused{Err: err}
	}
	if t.Key == nil || strings.Join(ident, ",") != strings.Join(t.Key, ",") {
		return refuse("%s: the change stream identifies rows by (%s), the copy by the primary key (%s): hotswap needs them to be the same; set REPLICA IDENTITY DEFAULT",
			e.m.tableName(), strings.Join(ident, ", "), strings.Join(t.Key, ", "))
	}
	objects, err := postgres.Objects(ctx, e.db, c.Schema, c.Table)
	if err != nil {
		return &Refused{Err: err}
	}
	if len(objects) > 0 {
		return refuse("%s has objects bound to it that would stay with the old table after the swap: %s; hotswap cannot carry these over yet: drop them before and recreate them after, or use a blocking ALTER",
			e.m.tableName(), strings.Join(objects, ", "))
	}
	return nil
}

// clearLeftovers refuses a run when tables of the names hotswap needs exist,
// unless the flags allow dropping them (never in a dry run).
func (e *postgresEngine) clearLeftovers(ctx context.Context) error {
	c := e.m.cfg
	var drop []string
	for _, l := range []leftover{{e.m.shadow, c.InitiallyDropGhost, "--initially-drop-ghost-table"}, {e.m.chk, c.InitiallyDropGhost, "--initially-drop-ghost-table"},
		{e.m.old, c.InitiallyDropOld, "--initially-drop-old-table"}} {
		exists, err := postgres.TableExists(ctx, e.db, c.Schema, l.name)
		if err != nil {
			return &Refused{Err: err}
		}
		if !exists {
			continue
		}
		if !l.drop || !c.Execute {
			return refuse("table %s.%s already exists, probably left by an earlier run: drop it, or pass %s with --execute to have it dropped", c.Schema, l.name, l.flag)
		}
		drop = append(drop, l.name)
	}
	slot, err := postgres.WaitSlotFree(ctx, e.db, e.slot, 0)
	if err != nil {
		return &Refused{Err: err}
	}
	if slot && (!c.InitiallyDropGhost || !c.Execute) {
		return refuse("the replication slot %s of an earlier run on %s exists (a crashed run keeps it for --resume): resume that run with --resume, or pass --initially-drop-ghost-table with --execute to drop it and start again",
			e.slot, e.m.tableName())
	}
	for _, name := range drop {
		c.Log.Warn().Str("table", name).Msg("dropping leftover table as asked")
		if err := postgres.DropTable(ctx, e.db, c.Schema, name); err != nil {
			return err
		}
	}
	if slot {
		c.Log.Warn().Str("slot", e.slot).Str("publication", e.pub).Msg("dropping the earlier run's replication slot and publication as asked")
		if err := errors.Join(postgres.DropSlot(ctx, e.db, e.slot), postgres.DropPublication(ctx, e.db, e.pub)); err != nil {
			return err
		}
	}
	return nil
}

// prepareShadow creates the shadow with the ALTER applied and derives the
// column map and row key from what the server made of it.
func (e *postgresEngine) prepareShadow(ctx context.Context) error {
	m := e.m
	c := m.cfg
	if !c.Resume { // a resume continues with the shadow the run left
		created, err := postgres.CreateShadow(ctx, e.db, c.Schema, c.Table, m.shadow, c.Alter)
		e.shadowCreated = created
		if err != nil {
			return m.refuseAndDrop(err)
		}
	}
	var err error
	if e.dst, err = postgres.LoadTable(ctx, e.db, c.Schema, m.shadow); err != nil {
		return m.refuseAndDrop(err)
	}
	e.pairs = postgres.MapColumns(e.src, e.dst)
	if e.srcKey, e.dstKey, err = postgres.ShadowKey(e.src, e.dst, e.pairs); err != nil {
		return m.refuseAndDrop(err)
	}
	using, err := postgres.UsingExprs(e.usings, e.pairs, e.dstKey)
	if err != nil {
		return m.refuseAndDrop(err)
	}
	if c.Execute { // derived again by a --resume: nothing to keep
		if e.alterSet, err = postgres.AlterSettings(ctx, e.db, c.Schema, c.Table, c.Alter); err != nil {
			c.Log.Warn().Err(err).Msg("the cut-over will not follow changes made to the table's storage parameters, replica identity or statistics targets during the run; the new table has them as they were at the start, with the ALTER's")
		}
	}
	m.estimate, _ = postgres.EstimateRows(ctx, e.db, c.Schema, c.Table)
	e.rows = &postgres.Rows{DB: e.db, Schema: c.Schema, Source: c.Table, Shadow: m.shadow, Pairs: e.pairs,
		KeyColumns: e.srcKey, DstKeyColumns: e.dstKey, SrcTypes: e.src.Types(), DstTypes: e.dst.Types(), Using: using}
	return nil
}
