package migration

import (
	"context"
	"fmt"
	"strings"

	"github.com/hotswap/hotswap/dialect/mysql"
	"github.com/hotswap/hotswap/schema"
)

// connect opens the pool, learns the server, and takes the run lock.
func (e *mysqlEngine) connect(ctx context.Context) error {
	db, err := mysql.Open(ctx, e.m.cfg.Conn)
	if err != nil {
		return &Refused{Err: err}
	}
	e.db = db
	if e.server, err = mysql.Probe(ctx, db); err != nil {
		return &Refused{Err: err}
	}
	e.m.cfg.Log.Info().Str("server", e.server.Version).Str("addr", e.m.cfg.Conn.Addr()).
		Str("locking_read", e.server.ShareLock).Msg("connected")
	return nil
}

// preflight checks everything it can before changing anything.
func (e *mysqlEngine) preflight(ctx context.Context) error {
	c := e.m.cfg
	if c.KillBlockersAfter > 0 {
		return refuse("--cut-over-kill-blockers-after is PostgreSQL only: on MySQL and MariaDB, end the long transactions yourself or raise --default-retries")
	}
	if err := mysql.CheckBinlog(ctx, e.db); err != nil {
		return &Refused{Err: err}
	}
	if err := mysql.CheckPrivileges(ctx, e.db, c.Conn.Database); err != nil {
		return &Refused{Err: err}
	}
	if err := e.takeRunLock(ctx); err != nil {
		return err
	}
	if err := e.checkTable(ctx); err != nil {
		return err
	}
	alter, err := schema.ParseMySQLAlter(c.Alter)
	if err != nil {
		return &Refused{Err: err}
	}
	if alter.RenamesTable {
		return refuse("the ALTER renames the table: hotswap changes a table in place; rename it separately with RENAME TABLE")
	}
	if alter.AddsForeignKey {
		return refuse("the ALTER adds a foreign key: foreign keys are not supported yet (their names and references do not survive the table swap)")
	}
	e.alter = alter
	e.m.shadow = schema.DerivedName(c.Table, "new", mysql.MaxNameLen)
	e.m.old = schema.DerivedName(c.Table, "old", mysql.MaxNameLen)
	e.m.chk = schema.DerivedName(c.Table, "chk", mysql.MaxNameLen)
	if c.Resume {
		if err := e.checkResume(ctx); err != nil || e.m.cfg.Resume {
			return err
		}
	}
	leftovers := []leftover{{e.m.shadow, c.InitiallyDropGhost, "--initially-drop-ghost-table"}, {e.m.chk, c.InitiallyDropGhost, "--initially-drop-ghost-table"},
		{e.m.old, c.InitiallyDropOld, "--initially-drop-old-table"}}
	var drop []string
	for _, l := range leftovers {
		found, err := e.checkLeftover(ctx, l)
		if err != nil {
			return err
		}
		if found {
			drop = append(drop, l.name)
		}
	}
	for _, name := range drop { // only once every check passed
		e.m.cfg.Log.Warn().Str("table", name).Msg("dropping leftover table as asked")
		if err := mysql.DropTable(ctx, e.db, c.Conn.Database, name); err != nil {
			return err
		}
	}
	return nil
}

type leftover struct {
	name string
	drop bool
	flag string
}

func (e *mysqlEngine) takeRunLock(ctx context.Context) error {
	conn, err := e.db.Conn(ctx)
	if err != nil {
		return &Refused{Err: fmt.Errorf("open lock connection: %w", err)}
	}
	e.lockConn = conn
	got, err := mysql.GetLock(ctx, conn, mysql.RunLockName(e.m.cfg.Conn.Database, e.m.cfg.Table))
	if err != nil {
		return &Refused{Err: err}
	}
	if !got {
		return refuse("another hotswap is already running on %s.%s (it holds the lock %s); wait for it to end or stop it first",
			e.m.cfg.Conn.Database, e.m.cfg.Table, mysql.RunLockName(e.m.cfg.Conn.Database, e.m.cfg.Table))
	}
	return nil
}

func (e *mysqlEngine) checkTable(ctx context.Context) error {
	db, table := e.m.cfg.Conn.Database, e.m.cfg.Table
	kind, engine, err := mysql.TableKind(ctx, e.db, db, table)
	switch {
	case err != nil:
		return &Refused{Err: err}
	case kind == "":
		return refuse("table %s.%s does not exist: check --database and --table", db, table)
	case kind != "BASE TABLE":
		return refuse("%s.%s is a %s, not a table: hotswap alters base tables only", db, table, strings.ToLower(kind))
	case !strings.EqualFold(engine, "InnoDB"):
		return refuse("table %s.%s uses the %s engine: hotswap needs InnoDB (transactions and row locks)", db, table, engine)
	}
	fks, err := mysql.ForeignKeys(ctx, e.db, db, table)
	if err != nil {
		return &Refused{Err: err}
	}
	if len(fks) > 0 {
		return refuse("table %s.%s has foreign keys (%s): not supported yet, since a child's constraint would follow the old table through the swap; drop them first or use another tool",
			db, table, strings.Join(fks, ", "))
	}
	trg, err := mysql.Triggers(ctx, e.db, db, table)
	if err != nil {
		return &Refused{Err: err}
	}
	if len(trg) > 0 {
		return refuse("table %s.%s has triggers (%s): not supported yet, since they would not move to the new table; drop them first and recreate them after",
			db, table, strings.Join(trg, ", "))
	}
	e.src, err = mysql.LoadTable(ctx, e.db, db, table)
	if err != nil {
		return &Refused{Err: err}
	}
	return nil
}

// checkLeftover refuses a run when a table of a name hotswap needs exists,
// unless the flag allows dropping it (never in a dry run).
func (e *mysqlEngine) checkLeftover(ctx context.Context, l leftover) (found bool, err error) {
	exists, err := mysql.TableExists(ctx, e.db, e.m.cfg.Conn.Database, l.name)
	if err != nil || !exists {
		return false, err
	}
	if !l.drop || !e.m.cfg.Execute {
		return false, refuse("table %s.%s already exists, probably left by an earlier run: resume that run with --resume, or drop it, or pass %s with --execute to have it dropped",
			e.m.cfg.Conn.Database, l.name, l.flag)
	}
	return true, nil
}

// prepareShadow creates the shadow with the ALTER applied and derives the
// column map and row key from what the server made of it.
func (e *mysqlEngine) prepareShadow(ctx context.Context) error {
	db := e.m.cfg.Conn.Database
	if !e.m.cfg.Resume { // a resume continues with the shadow the run left
		created, err := mysql.CreateShadow(ctx, e.db, db, e.m.cfg.Table, e.m.shadow, e.alter.Text)
		e.shadowCreated = created
		if err != nil {
			return e.m.refuseAndDrop(err)
		}
	}
	dst, err := mysql.LoadTable(ctx, e.db, db, e.m.shadow)
	if err != nil {
		return e.m.refuseAndDrop(err)
	}
	e.dst = dst
	e.pairs = schema.MapColumns(e.src, e.dst, e.alter)
	if e.srcKey, e.dstKey, err = schema.ChooseKey(e.src, e.dst, e.pairs); err != nil {
		return e.m.refuseAndDrop(err)
	}
	e.m.estimate, _ = mysql.EstimateRows(ctx, e.db, db, e.m.cfg.Table)
	tz, err := mysql.GlobalTimeZone(ctx, e.db)
	if err != nil {
		return e.m.refuseAndDrop(err)
	}
	e.rows = &mysql.Rows{DB: e.db, Database: db, Source: e.m.cfg.Table, Shadow: e.m.shadow, Pairs: e.pairs,
		SrcKey: e.srcKey, DstKey: e.dstKey, SrcTable: e.src, DstTable: e.dst, ShareLock: e.server.ShareLock, TimeZone: tz}
	if c := e.rows.ZoneShiftedKey(); c != "" {
		return e.m.refuseAndDrop(fmt.Errorf("the ALTER turns row key column %s between TIMESTAMP and local time, which the server's "+
			"time_zone %s shifts, so shadow rows could not be found by the source's key: keep the column's type in this ALTER "+
			"and change it in a later run, or run while the server's global time_zone is '+00:00'", mysql.Quote(c), tz))
	}
	return nil
}
