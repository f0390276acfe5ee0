package backfill

import (
	"context"
	"database/sql"
	"strings"

	"github.com/hotswap/hotswap/dialect/mysql"
	"github.com/hotswap/hotswap/schema"
	"github.com/hotswap/hotswap/throttle"
)

type mysqlEngine struct {
	cfg      *Config
	db       *sql.DB
	lockConn *sql.Conn
	bf       *mysql.Backfill
}

func (e *mysqlEngine) open(ctx context.Context) error {
	c := e.cfg
	db, err := mysql.Open(ctx, c.Conn)
	if err != nil {
		return &Refused{Err: err}
	}
	e.db = db
	if e.lockConn, err = db.Conn(ctx); err != nil {
		return &Refused{Err: err}
	}
	name := mysql.RunLockName(c.Conn.Database, c.Table)
	got, err := mysql.GetLock(ctx, e.lockConn, name)
	if err != nil {
		return &Refused{Err: err}
	}
	if !got {
		return refuse("another hotswap (a migration or a backfill) is running on %s.%s (it holds the lock %s); wait for it to end", c.Conn.Database, c.Table, name)
	}
	kind, eng, err := mysql.TableKind(ctx, db, c.Conn.Database, c.Table)
	switch {
	case err != nil:
		return &Refused{Err: err}
	case kind == "":
		return refuse("table %s.%s does not exist: check --database and --table", c.Conn.Database, c.Table)
	case kind != "BASE TABLE" || !strings.EqualFold(eng, "InnoDB"):
		return refuse("%s.%s is not an InnoDB table (%s, %s): a backfill needs row locks and transactions", c.Conn.Database, c.Table, kind, eng)
	}
	t, err := mysql.LoadTable(ctx, db, c.Conn.Database, c.Table)
	if err != nil {
		return &Refused{Err: err}
	}
	key, _, err := schema.ChooseKey(t, t, schema.MapColumns(t, t, &schema.Alter{}))
	if err != nil {
		return refuse("%s.%s has no primary key or NOT NULL unique key to cut chunks by: add one first", c.Conn.Database, c.Table)
	}
	rows := &mysql.Rows{DB: db, Database: c.Conn.Database, Source: c.Table, SrcKey: key, SrcTable: t}
	e.bf = &mysql.Backfill{Rows: rows, Set: c.Set, Where: c.Where, Template: c.Template, LockWait: int(c.LockWait.Seconds())}
	return nil
}

func (e *mysqlEngine) chunks() chunkSQL                { return e.bf }
func (e *mysqlEngine) check(ctx context.Context) error { return e.bf.Check(ctx) }
func (e *mysqlEngine) primary() *sql.DB                { return e.db }

func (e *mysqlEngine) estimateRows(ctx context.Context) int64 {
	n, _ := mysql.EstimateRows(ctx, e.db, e.cfg.Conn.Database, e.cfg.Table)
	return n
}

func (e *mysqlEngine) openReplica(ctx context.Context, host string, port int) (*sql.DB, error) {
	c := e.cfg.Conn
	c.Host, c.Port = host, port
	return mysql.Open(ctx, c)
}

func (e *mysqlEngine) throttleSQL() throttle.Dialect {
	return mysql.Throttle{Database: e.cfg.Conn.Database}
}

func (e *mysqlEngine) checkpointTable() string {
	return schema.DerivedName(e.cfg.Table, "bf", mysql.MaxNameLen)
}

func (e *mysqlEngine) createCheckpoint(ctx context.Context) error {
	return mysql.CreateCheckpoint(ctx, e.db, e.cfg.Conn.Database, e.checkpointTable())
}

func (e *mysqlEngine) saveCheckpoint(ctx context.Context, stmt, state string) error {
	return mysql.SaveCheckpoint(ctx, e.db, e.cfg.Conn.Database, e.checkpointTable(), stmt, state)
}

func (e *mysqlEngine) loadCheckpoint(ctx context.Context) (string, string, bool, error) {
	return mysql.LoadCheckpoint(ctx, e.db, e.cfg.Conn.Database, e.checkpointTable())
}

func (e *mysqlEngine) checkpointExists(ctx context.Context) (bool, error) {
	return mysql.TableExists(ctx, e.db, e.cfg.Conn.Database, e.checkpointTable())
}

func (e *mysqlEngine) dropCheckpoint(ctx context.Context) error {
	return mysql.DropTable(ctx, e.db, e.cfg.Conn.Database, e.checkpointTable())
}

func (e *mysqlEngine) close() {
	if e.lockConn != nil {
		mysql.CloseLockConn(e.lockConn, mysql.RunLockName(e.cfg.Conn.Database, e.cfg.Table))
	}
	if e.db != nil {
		e.db.Close()
	}
}
