package migration

import (
	"context"
	"fmt"
	"strings"

	"github.com/hotswap/hotswap/dialect/mysql"
	"github.com/hotswap/hotswap/schema"
)

// connect opens the pool, learns the server, and takes the run lock.
func (m *Migration) connect(ctx context.Context) error {
	db, err := mysql.Open(ctx, m.cfg.Conn)
	if err != nil {
		return &Refused{Err: err}
	}
	m.db = db
	if m.server, err = mysql.Probe(ctx, db); err != nil {
		return &Refused{Err: err}
	}
	m.cfg.Log.Info().Str("server", m.server.Version).Str("addr", m.cfg.Conn.Addr()).
		Str("locking_read", m.server.ShareLock).Msg("connected")
	return nil
}

// preflight checks everything it can before changing anything.
func (m *Migration) preflight(ctx context.Context) error {
	c := m.cfg
	if err := mysql.CheckBinlog(ctx, m.db); err != nil {
		return &Refused{Err: err}
	}
	if err := mysql.CheckPrivileges(ctx, m.db, c.Conn.Database); err != nil {
		return &Refused{Err: err}
	}
	if err := m.takeRunLock(ctx); err != nil {
		return err
	}
	if err := m.checkTable(ctx); err != nil {
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
	m.alter = alter
	m.shadow = schema.DerivedName(c.Table, "new", mysql.MaxNameLen)
	m.old = schema.DerivedName(c.Table, "old", mysql.MaxNameLen)
	leftovers := []leftover{{m.shadow, c.InitiallyDropGhost, "--initially-drop-ghost-table"}, {m.old, c.InitiallyDropOld, "--initially-drop-old-table"}}
	var drop []string
	for _, l := range leftovers {
		found, err := m.checkLeftover(ctx, l)
		if err != nil {
			return err
		}
		if found {
			drop = append(drop, l.name)
		}
	}
	for _, name := range drop { // only once every check passed
		m.cfg.Log.Warn().Str("table", name).Msg("dropping leftover table as asked")
		if err := mysql.DropTable(ctx, m.db, c.Conn.Database, name); err != nil {
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

func (m *Migration) takeRunLock(ctx context.Context) error {
	conn, err := m.db.Conn(ctx)
	if err != nil {
		return &Refused{Err: fmt.Errorf("open lock connection: %w", err)}
	}
	m.lockConn = conn
	got, err := mysql.GetLock(ctx, conn, mysql.RunLockName(m.cfg.Conn.Database, m.cfg.Table))
	if err != nil {
		return &Refused{Err: err}
	}
	if !got {
		return refuse("another hotswap is already running on %s.%s (it holds the lock %s); wait for it to end or stop it first",
			m.cfg.Conn.Database, m.cfg.Table, mysql.RunLockName(m.cfg.Conn.Database, m.cfg.Table))
	}
	return nil
}

func (m *Migration) checkTable(ctx context.Context) error {
	db, table := m.cfg.Conn.Database, m.cfg.Table
	kind, engine, err := mysql.TableKind(ctx, m.db, db, table)
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
	fks, err := mysql.ForeignKeys(ctx, m.db, db, table)
	if err != nil {
		return &Refused{Err: err}
	}
	if len(fks) > 0 {
		return refuse("table %s.%s has foreign keys (%s): not supported yet, since a child's constraint would follow the old table through the swap; drop them first or use another tool",
			db, table, strings.Join(fks, ", "))
	}
	trg, err := mysql.Triggers(ctx, m.db, db, table)
	if err != nil {
		return &Refused{Err: err}
	}
	if len(trg) > 0 {
		return refuse("table %s.%s has triggers (%s): not supported yet, since they would not move to the new table; drop them first and recreate them after",
			db, table, strings.Join(trg, ", "))
	}
	m.src, err = mysql.LoadTable(ctx, m.db, db, table)
	if err != nil {
		return &Refused{Err: err}
	}
	return nil
}

// checkLeftover refuses a run when a table of a name hotswap needs exists,
// unless the flag allows dropping it (never in a dry run).
func (m *Migration) checkLeftover(ctx context.Context, l leftover) (found bool, err error) {
	exists, err := mysql.TableExists(ctx, m.db, m.cfg.Conn.Database, l.name)
	if err != nil || !exists {
		return false, err
	}
	if !l.drop || !m.cfg.Execute {
		return false, refuse("table %s.%s already exists, probably left by an earlier run: drop it, or pass %s with --execute to have it dropped",
			m.cfg.Conn.Database, l.name, l.flag)
	}
	return true, nil
}

// prepareShadow creates the shadow with the ALTER applied and derives the
// column map and row key from what the server made of it.
func (m *Migration) prepareShadow(ctx context.Context) error {
	db := m.cfg.Conn.Database
	created, err := mysql.CreateShadow(ctx, m.db, db, m.cfg.Table, m.shadow, m.alter.Text)
	m.shadowCreated = created
	if err != nil {
		return m.refuseAndDrop(err)
	}
	dst, err := mysql.LoadTable(ctx, m.db, db, m.shadow)
	if err != nil {
		return m.refuseAndDrop(err)
	}
	m.dst = dst
	m.pairs = schema.MapColumns(m.src, m.dst, m.alter)
	if m.srcKey, m.dstKey, err = schema.ChooseKey(m.src, m.dst, m.pairs); err != nil {
		return m.refuseAndDrop(err)
	}
	m.estimate, _ = mysql.EstimateRows(ctx, m.db, db, m.cfg.Table)
	m.rows = &mysql.Rows{DB: m.db, Database: db, Source: m.cfg.Table, Shadow: m.shadow, Pairs: m.pairs,
		SrcKey: m.srcKey, DstKey: m.dstKey, SrcTable: m.src, DstTable: m.dst, ShareLock: m.server.ShareLock}
	return nil
}

func (m *Migration) refuseAndDrop(err error) error {
	if derr := m.dropShadow(); derr != nil {
		return fmt.Errorf("%w (and dropping the shadow failed: %v)", err, derr)
	}
	return &Refused{Err: err}
}
