package mysql

import (
	"context"
	"errors"
	"fmt"
	"strings"

	dialect "github.com/hotswap/hotswap/dialect/mysql"
	"github.com/hotswap/hotswap/engine"
	"github.com/hotswap/hotswap/job"
	"github.com/hotswap/hotswap/schema"
)

// Connect opens the pool and learns the server (Preflight takes the run lock).
func (e *Engine) Connect(ctx context.Context) error {
	db, err := dialect.Open(ctx, e.spec.Conn)
	if err != nil {
		return &job.Refused{Err: err}
	}
	e.db = db
	if e.server, err = dialect.Probe(ctx, db); err != nil {
		return &job.Refused{Err: err}
	}
	e.spec.Log.Info().Str("server", e.server.Version).Str("addr", e.spec.Conn.Addr()).
		Str("locking_read", e.server.ShareLock).Msg("connected")
	return nil
}

// Preflight checks everything it can before changing anything. The plan is
// returned with an error too: the names it settled before failing.
func (e *Engine) Preflight(ctx context.Context) (engine.Plan, error) {
	e.plan.Resume = e.spec.Resume
	err := e.preflight(ctx)
	return e.plan, err
}

func (e *Engine) preflight(ctx context.Context) error {
	c := e.spec
	if c.KillBlockersAfter > 0 {
		return job.Refuse("--cut-over-kill-blockers-after is PostgreSQL only: on MySQL and MariaDB, end the long transactions yourself or raise --default-retries")
	}
	if err := dialect.CheckBinlog(ctx, e.db); err != nil {
		return &job.Refused{Err: err}
	}
	if err := dialect.CheckPrivileges(ctx, e.db, c.Conn.Database); err != nil {
		return &job.Refused{Err: err}
	}
	if err := e.takeRunLock(ctx); err != nil {
		return err
	}
	if err := e.checkTable(ctx); err != nil {
		return err
	}
	alter, err := schema.ParseMySQLAlter(c.Alter)
	if err != nil {
		return &job.Refused{Err: err}
	}
	if alter.RenamesTable {
		return job.Refuse("the ALTER renames the table: hotswap changes a table in place; rename it separately with RENAME TABLE")
	}
	if alter.AddsForeignKey {
		return job.Refuse("the ALTER adds a foreign key: hotswap carries a table's foreign keys to the new table but cannot add one yet (the rows would have to be checked against the parent while both change); add it with a plain ALTER TABLE before or after the migration")
	}
	e.alter = alter
	e.plan.Shadow = schema.DerivedName(c.Table, "new", dialect.MaxNameLen)
	e.plan.Old = schema.DerivedName(c.Table, "old", dialect.MaxNameLen)
	e.plan.Checkpoint = schema.DerivedName(c.Table, "chk", dialect.MaxNameLen)
	if c.RevertWindow > 0 || c.RevertFrom != "" {
		e.plan.Reverted = schema.DerivedName(c.Table, "rev", dialect.MaxNameLen)
	}
	if c.RevertFrom != "" {
		if err := e.checkDependents(ctx); err != nil {
			return err
		}
		return e.checkRevertFrom(ctx)
	}
	if e.plan.Resume {
		if err := e.checkResume(ctx); err != nil || e.plan.ResumeDone || e.plan.RevertDone {
			return err // done: the table is the new one, its triggers named (checkResume)
		}
		if e.plan.Resume {
			return e.checkDependents(ctx)
		}
	}
	if err := e.checkDependents(ctx); err != nil {
		return err
	}
	return e.dropReserved(ctx)
}

// checkDependents reads the triggers and foreign keys the cut-over
// carries, refusing what it cannot.
func (e *Engine) checkDependents(ctx context.Context) error {
	if err := e.checkTriggers(ctx); err != nil {
		return err
	}
	return e.checkForeignKeys(ctx)
}

// dropReserved refuses the run if a table of a name it needs exists, or
// drops those tables when the flags allow it for all of them.
func (e *Engine) dropReserved(ctx context.Context) error {
	var drop []string
	for _, l := range e.spec.ReservedTables(e.plan) {
		found, err := e.checkLeftover(ctx, l)
		if err != nil {
			return err
		}
		if found {
			drop = append(drop, l.Name)
		}
	}
	for _, name := range drop { // only once every check passed
		e.spec.Log.Warn().Str("table", name).Msg("dropping leftover table as asked")
		if err := dialect.DropTable(ctx, e.db, e.spec.Conn.Database, name); err != nil {
			return err
		}
	}
	return nil
}

func (e *Engine) takeRunLock(ctx context.Context) error {
	conn, err := e.db.Conn(ctx)
	if err != nil {
		return &job.Refused{Err: fmt.Errorf("open lock connection: %w", err)}
	}
	e.lockConn = conn
	got, err := dialect.GetLock(ctx, conn, dialect.RunLockName(e.spec.Conn.Database, e.spec.Table))
	if err != nil {
		return &job.Refused{Err: err}
	}
	if !got {
		return job.Refuse("another hotswap is already running on %s.%s (it holds the lock %s); wait for it to end or stop it first",
			e.spec.Conn.Database, e.spec.Table, dialect.RunLockName(e.spec.Conn.Database, e.spec.Table))
	}
	return nil
}

func (e *Engine) checkTable(ctx context.Context) error {
	db, table := e.spec.Conn.Database, e.spec.Table
	kind, storage, err := dialect.TableKind(ctx, e.db, db, table)
	switch {
	case err != nil:
		return &job.Refused{Err: err}
	case kind == "":
		return job.Refuse("table %s.%s does not exist: check --database and --table", db, table)
	case kind != "BASE TABLE":
		return job.Refuse("%s.%s is a %s, not a table: hotswap alters base tables only", db, table, strings.ToLower(kind))
	case !strings.EqualFold(storage, "InnoDB"):
		return job.Refuse("table %s.%s uses the %s engine: hotswap needs InnoDB (transactions and row locks)", db, table, storage)
	}
	e.src, err = dialect.LoadTable(ctx, e.db, db, table)
	if err != nil {
		return &job.Refused{Err: err}
	}
	return nil
}

// checkLeftover refuses a run when a table of a name hotswap needs exists,
// unless the flag allows dropping it (never in a dry run).
func (e *Engine) checkLeftover(ctx context.Context, l engine.Reserved) (found bool, err error) {
	exists, err := dialect.TableExists(ctx, e.db, e.spec.Conn.Database, l.Name)
	if err != nil || !exists {
		return false, err
	}
	if !l.Drop || !e.spec.Execute {
		return false, job.Refuse("table %s.%s already exists, probably left by an earlier run: resume that run with --resume, or drop it, or pass %s with --execute to have it dropped",
			e.spec.Conn.Database, l.Name, l.Flag)
	}
	return true, nil
}

// PrepareShadow creates the shadow with the ALTER applied and derives the
// column map and row key from what the server made of it.
func (e *Engine) PrepareShadow(ctx context.Context) (int64, error) {
	db := e.spec.Conn.Database
	if !e.plan.Resume { // a resume continues with the shadow the run left
		created, err := dialect.CreateShadow(ctx, e.db, db, e.spec.Table, e.plan.Shadow, e.alter.Text, e.origKeys, e.shadowKeyName)
		e.shadowCreated = created
		if err == nil && len(e.origKeys) > 0 {
			err = errors.Join(e.dropShadowKeys(ctx), // the probe's: see dropShadowKeys
				dialect.RestoreKeyIndexNames(ctx, e.db, db, e.spec.Table, e.plan.Shadow, e.origKeys, e.shadowKeyName))
		}
		if err != nil {
			return 0, engine.RefuseAndDrop(err, e.DropShadow)
		}
		if err := e.probeTriggers(ctx); err != nil {
			return 0, engine.RefuseAndDrop(err, e.DropShadow)
		}
	} else if err := errors.Join(e.dropShadowTriggers(ctx), e.dropShadowKeys(ctx)); err != nil {
		return 0, err
	}
	dst, err := dialect.LoadTable(ctx, e.db, db, e.plan.Shadow)
	if err != nil {
		return 0, engine.RefuseAndDrop(err, e.DropShadow)
	}
	e.dst = dst
	e.pairs = schema.MapColumns(e.src, e.dst, e.alter)
	if e.srcKey, e.dstKey, err = schema.ChooseKey(e.src, e.dst, e.pairs); err != nil {
		return 0, engine.RefuseAndDrop(err, e.DropShadow)
	}
	if err := e.checkChildReferences(ctx); err != nil {
		return 0, engine.RefuseAndDrop(err, e.DropShadow)
	}
	if e.spec.RevertWindow > 0 {
		if err := e.checkReversible(ctx); err != nil {
			return 0, engine.RefuseAndDrop(err, e.DropShadow)
		}
	}
	estimate, _ := dialect.EstimateRows(ctx, e.db, db, e.spec.Table)
	tz, err := dialect.GlobalTimeZone(ctx, e.db)
	if err != nil {
		return 0, engine.RefuseAndDrop(err, e.DropShadow)
	}
	e.rows = &dialect.Rows{DB: e.db, Database: db, Source: e.spec.Table, Shadow: e.plan.Shadow, Pairs: e.pairs,
		SrcKey: e.srcKey, DstKey: e.dstKey, SrcTable: e.src, DstTable: e.dst, ShareLock: e.server.ShareLock, TimeZone: tz}
	if c := e.rows.ZoneShiftedKey(); c != "" {
		return 0, engine.RefuseAndDrop(fmt.Errorf("the ALTER turns row key column %s between TIMESTAMP and local time, which the server's "+
			"time_zone %s shifts, so shadow rows could not be found by the source's key: keep the column's type in this ALTER "+
			"and change it in a later run, or run while the server's global time_zone is '+00:00'", dialect.Quote(c), tz), e.DropShadow)
	}
	return estimate, nil
}
