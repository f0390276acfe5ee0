package backfill

import (
	"context"
	"database/sql"

	"github.com/hotswap/hotswap/dialect/postgres"
	"github.com/hotswap/hotswap/schema"
	"github.com/hotswap/hotswap/throttle"
)

// pgMaxNameLen is PostgreSQL's identifier limit.
const pgMaxNameLen = 63

type postgresEngine struct {
	cfg      *Config
	db       *sql.DB
	lockConn *sql.Conn
	bf       *postgres.Backfill
}

func (e *postgresEngine) open(ctx context.Context) error {
	c := e.cfg
	db, err := postgres.Open(ctx, e.pgConfig())
	if err != nil {
		return &Refused{Err: err}
	}
	e.db = db
	if e.lockConn, err = db.Conn(ctx); err != nil {
		return &Refused{Err: err}
	}
	got, err := postgres.TryRunLock(ctx, e.lockConn, c.Schema, c.Table)
	if err != nil {
		return &Refused{Err: err}
	}
	if !got {
		return refuse("another hotswap (a migration or a backfill) is running on %s.%s; wait for it to end", c.Schema, c.Table)
	}
	t, err := postgres.LoadTable(ctx, db, c.Schema, c.Table)
	switch {
	case err != nil:
		return &Refused{Err: err}
	case t == nil:
		return refuse("table %s.%s does not exist: check --table (schema.table) and --database", c.Schema, c.Table)
	case t.Key == nil:
		return refuse("%s.%s has no primary key to cut chunks by: add one first", c.Schema, c.Table)
	}
	rows := &postgres.Rows{DB: db, Schema: c.Schema, Source: c.Table, KeyColumns: t.Key, SrcTypes: t.Types()}
	e.bf = &postgres.Backfill{Rows: rows, Set: c.Set, Where: c.Where, Template: c.Template, LockWait: c.LockWait}
	return nil
}

func (e *postgresEngine) chunks() chunkSQL                { return e.bf }
func (e *postgresEngine) check(ctx context.Context) error { return e.bf.Check(ctx) }
func (e *postgresEngine) primary() *sql.DB                { return e.db }

func (e *postgresEngine) estimateRows(ctx context.Context) int64 {
	n, _ := postgres.EstimateRows(ctx, e.db, e.cfg.Schema, e.cfg.Table)
	return n
}

func (e *postgresEngine) openReplica(ctx context.Context, host string, port int) (*sql.DB, error) {
	c := e.pgConfig()
	c.Host, c.Port = host, port
	return postgres.Open(ctx, c)
}

func (e *postgresEngine) throttleSQL() throttle.Dialect {
	return postgres.Throttle{Schema: e.cfg.Schema}
}

func (e *postgresEngine) pgConfig() postgres.Config {
	c := e.cfg.Conn
	return postgres.Config{Host: c.Host, Port: c.Port, User: c.User, Password: c.Password, Database: c.Database}
}

func (e *postgresEngine) checkpointTable() string {
	return schema.DerivedName(e.cfg.Table, "bf", pgMaxNameLen)
}

func (e *postgresEngine) createCheckpoint(ctx context.Context) error {
	return postgres.CreateCheckpoint(ctx, e.db, e.cfg.Schema, e.checkpointTable())
}

func (e *postgresEngine) saveCheckpoint(ctx context.Context, stmt, state string) error {
	return postgres.SaveCheckpoint(ctx, e.db, e.cfg.Schema, e.checkpointTable(), stmt, state)
}

func (e *postgresEngine) loadCheckpoint(ctx context.Context) (string, string, bool, error) {
	return postgres.LoadCheckpoint(ctx, e.db, e.cfg.Schema, e.checkpointTable())
}

func (e *postgresEngine) checkpointExists(ctx context.Context) (bool, error) {
	return postgres.TableExists(ctx, e.db, e.cfg.Schema, e.checkpointTable())
}

func (e *postgresEngine) dropCheckpoint(ctx context.Context) error {
	return postgres.DropTable(ctx, e.db, e.cfg.Schema, e.checkpointTable())
}

func (e *postgresEngine) close() {
	if e.lockConn != nil {
		postgres.CloseLockConn(e.lockConn, e.cfg.Schema, e.cfg.Table)
	}
	if e.db != nil {
		e.db.Close()
	}
}
