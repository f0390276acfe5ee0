package mysql

import (
	"context"
	"database/sql"
	"strings"

	dialect "github.com/hotswap/hotswap/dialect/mysql"
	"github.com/hotswap/hotswap/engine"
	"github.com/hotswap/hotswap/job"
	"github.com/hotswap/hotswap/schema"
	"github.com/hotswap/hotswap/throttle"
)

// backfiller runs a chunked data change (package backfill) on MySQL or MariaDB.
type backfiller struct {
	spec     engine.BackfillSpec
	db       *sql.DB // hotswap's sessions: lock, checkpoint, throttle
	chunks   *sql.DB // the change's sessions (dialect.OpenClientMode): boundaries and chunks
	lockConn *sql.Conn
	bf       *dialect.Backfill
}

var _ engine.Backfill = (*backfiller)(nil)

// NewBackfill builds the backfill engine for spec.
func NewBackfill(spec engine.BackfillSpec) engine.Backfill { return &backfiller{spec: spec} }

func (e *backfiller) Open(ctx context.Context) error {
	c := e.spec
	db, err := dialect.Open(ctx, c.Conn)
	if err != nil {
		return &job.Refused{Err: err}
	}
	e.db = db
	if e.lockConn, err = db.Conn(ctx); err != nil {
		return &job.Refused{Err: err}
	}
	name := dialect.RunLockName(c.Conn.Database, c.Table)
	got, err := dialect.GetLock(ctx, e.lockConn, name)
	if err != nil {
		return &job.Refused{Err: err}
	}
	if !got {
		return job.Refuse("another hotswap (a migration or a backfill) is running on %s.%s (it holds the lock %s); wait for it to end", c.Conn.Database, c.Table, name)
	}
	kind, eng, err := dialect.TableKind(ctx, db, c.Conn.Database, c.Table)
	switch {
	case err != nil:
		return &job.Refused{Err: err}
	case kind == "":
		return job.Refuse("table %s.%s does not exist: check --database and --table", c.Conn.Database, c.Table)
	case kind != "BASE TABLE" || !strings.EqualFold(eng, "InnoDB"):
		return job.Refuse("%s.%s is not an InnoDB table (%s, %s): a backfill needs row locks and transactions", c.Conn.Database, c.Table, kind, eng)
	}
	t, err := dialect.LoadTable(ctx, db, c.Conn.Database, c.Table)
	if err != nil {
		return &job.Refused{Err: err}
	}
	key, _, err := schema.ChooseKey(t, t, schema.MapColumns(t, t, &schema.Alter{}))
	if err != nil {
		return job.Refuse("%s.%s has no primary key or NOT NULL unique key to cut chunks by: add one first", c.Conn.Database, c.Table)
	}
	if err := e.openChunks(ctx); err != nil {
		return &job.Refused{Err: err}
	}
	rows := &dialect.Rows{DB: e.chunks, Database: c.Conn.Database, Source: c.Table, SrcKey: key, SrcTable: t}
	e.bf = &dialect.Backfill{Rows: rows, Set: c.Set, Where: c.Where, Template: c.Template, LockWait: int(c.LockWait.Seconds())}
	return nil
}

// openChunks opens the pool the chunks run in: sessions with the server's
// sql_mode and time_zone, as the user's own client would run the change,
// and its default database the one the change was written for. The key
// boundaries are read in it too, so a TIMESTAMP key means the same in the
// boundaries and the chunks.
func (e *backfiller) openChunks(ctx context.Context) error {
	conn := e.spec.Conn
	if e.spec.SessionSchema != "" {
		conn.Database = e.spec.SessionSchema
	}
	db, err := dialect.OpenClientMode(ctx, conn)
	e.chunks = db
	return err
}

func (e *backfiller) Chunks() engine.BackfillChunks   { return e.bf }
func (e *backfiller) Key() []string                   { return e.bf.SrcKey.Columns }
func (e *backfiller) Check(ctx context.Context) error { return e.bf.Check(ctx) }
func (e *backfiller) Primary() *sql.DB                { return e.db }

func (e *backfiller) EstimateRows(ctx context.Context) int64 {
	n, _ := dialect.EstimateRows(ctx, e.db, e.spec.Conn.Database, e.spec.Table)
	return n
}

func (e *backfiller) OpenReplica(ctx context.Context, host string, port int) (*sql.DB, error) {
	return openAt(ctx, e.spec.Conn, host, port)
}

func (e *backfiller) ThrottleSQL() throttle.Dialect {
	return dialect.Throttle{Database: e.spec.Conn.Database}
}

func (e *backfiller) CheckpointTable() string {
	return schema.DerivedName(e.spec.Table, "bf", dialect.MaxNameLen)
}

func (e *backfiller) CreateCheckpoint(ctx context.Context) error {
	return dialect.CreateCheckpoint(ctx, e.db, e.spec.Conn.Database, e.CheckpointTable())
}

func (e *backfiller) SaveCheckpoint(ctx context.Context, stmt, state string) error {
	return dialect.SaveCheckpoint(ctx, e.db, e.spec.Conn.Database, e.CheckpointTable(), stmt, state)
}

func (e *backfiller) LoadCheckpoint(ctx context.Context) (string, string, bool, error) {
	return dialect.LoadCheckpoint(ctx, e.db, e.spec.Conn.Database, e.CheckpointTable())
}

func (e *backfiller) CheckpointExists(ctx context.Context) (bool, error) {
	return dialect.TableExists(ctx, e.db, e.spec.Conn.Database, e.CheckpointTable())
}

func (e *backfiller) DropCheckpoint(ctx context.Context) error {
	return dialect.DropTable(ctx, e.db, e.spec.Conn.Database, e.CheckpointTable())
}

func (e *backfiller) Close() {
	if e.lockConn != nil {
		dialect.CloseLockConn(e.lockConn, dialect.RunLockName(e.spec.Conn.Database, e.spec.Table))
	}
	if e.chunks != nil {
		e.chunks.Close()
	}
	if e.db != nil {
		e.db.Close()
	}
}
