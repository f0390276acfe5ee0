package postgres

import (
	"context"
	"database/sql"

	dialect "github.com/hotswap/hotswap/dialect/postgres"
	"github.com/hotswap/hotswap/engine"
	"github.com/hotswap/hotswap/job"
	"github.com/hotswap/hotswap/schema"
	"github.com/hotswap/hotswap/throttle"
)

// backfiller runs a chunked data change (package backfill) on PostgreSQL.
type backfiller struct {
	spec     engine.BackfillSpec
	db       *sql.DB
	lockConn *sql.Conn
	bf       *dialect.Backfill
}

var _ engine.Backfill = (*backfiller)(nil)

// NewBackfill builds the backfill engine for spec.
func NewBackfill(spec engine.BackfillSpec) engine.Backfill { return &backfiller{spec: spec} }

func (e *backfiller) Open(ctx context.Context) error {
	c := e.spec
	db, err := dialect.Open(ctx, pgConfig(e.spec.Conn))
	if err != nil {
		return &job.Refused{Err: err}
	}
	e.db = db
	if e.lockConn, err = db.Conn(ctx); err != nil {
		return &job.Refused{Err: err}
	}
	got, err := dialect.TryRunLock(ctx, e.lockConn, c.Schema, c.Table)
	if err != nil {
		return &job.Refused{Err: err}
	}
	if !got {
		return job.Refuse("another hotswap (a migration or a backfill) is running on %s.%s; wait for it to end", c.Schema, c.Table)
	}
	t, err := dialect.LoadTable(ctx, db, c.Schema, c.Table)
	switch {
	case err != nil:
		return &job.Refused{Err: err}
	case t == nil:
		return job.Refuse("table %s.%s does not exist: check --table (schema.table) and --database", c.Schema, c.Table)
	case t.Key == nil:
		return job.Refuse("%s.%s has no primary key to cut chunks by: add one first", c.Schema, c.Table)
	}
	rows := &dialect.Rows{DB: db, Schema: c.Schema, Source: c.Table, KeyColumns: t.Key, SrcTypes: t.Types()}
	e.bf = &dialect.Backfill{Rows: rows, Set: c.Set, Where: c.Where, Template: c.Template, LockWait: c.LockWait}
	if c.SessionSchema != "" {
		e.bf.SearchPath = dialect.SearchPath(c.SessionSchema)
	}
	return nil
}

func (e *backfiller) Chunks() engine.BackfillChunks   { return e.bf }
func (e *backfiller) Key() []string                   { return e.bf.KeyColumns }
func (e *backfiller) Check(ctx context.Context) error { return e.bf.Check(ctx) }
func (e *backfiller) Primary() *sql.DB                { return e.db }

func (e *backfiller) EstimateRows(ctx context.Context) int64 {
	n, _ := dialect.EstimateRows(ctx, e.db, e.spec.Schema, e.spec.Table)
	return n
}

func (e *backfiller) OpenReplica(ctx context.Context, host string, port int) (*sql.DB, error) {
	return openAt(ctx, e.spec.Conn, host, port)
}

func (e *backfiller) ThrottleSQL() throttle.Dialect {
	return dialect.Throttle{Schema: e.spec.Schema}
}

func (e *backfiller) CheckpointTable() string {
	return schema.DerivedName(e.spec.Table, "bf", pgMaxNameLen)
}

func (e *backfiller) CreateCheckpoint(ctx context.Context) error {
	return dialect.CreateCheckpoint(ctx, e.db, e.spec.Schema, e.CheckpointTable())
}

func (e *backfiller) SaveCheckpoint(ctx context.Context, stmt, state string) error {
	return dialect.SaveCheckpoint(ctx, e.db, e.spec.Schema, e.CheckpointTable(), stmt, state)
}

func (e *backfiller) LoadCheckpoint(ctx context.Context) (string, string, bool, error) {
	return dialect.LoadCheckpoint(ctx, e.db, e.spec.Schema, e.CheckpointTable())
}

func (e *backfiller) CheckpointExists(ctx context.Context) (bool, error) {
	return dialect.TableExists(ctx, e.db, e.spec.Schema, e.CheckpointTable())
}

func (e *backfiller) DropCheckpoint(ctx context.Context) error {
	return dialect.DropTable(ctx, e.db, e.spec.Schema, e.CheckpointTable())
}

func (e *backfiller) Close() {
	if e.lockConn != nil {
		dialect.CloseLockConn(e.lockConn, e.spec.Schema, e.spec.Table)
	}
	if e.db != nil {
		e.db.Close()
	}
}
