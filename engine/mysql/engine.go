// Package mysql is the engine.Engine of MySQL and MariaDB: the binlog
// stream, the sentry cut-over and the GET_LOCK run lock. Importing it
// registers the engine (engine.MySQL) with package engine.
package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/hotswap/hotswap/applier"
	"github.com/hotswap/hotswap/binlog"
	"github.com/hotswap/hotswap/copier"
	"github.com/hotswap/hotswap/cutover"
	dialect "github.com/hotswap/hotswap/dialect/mysql"
	"github.com/hotswap/hotswap/engine"
	"github.com/hotswap/hotswap/schema"
	"github.com/hotswap/hotswap/throttle"
)

// Engine runs a migration on MySQL or MariaDB: binlog stream, sentry
// cut-over, GET_LOCK run lock.
type Engine struct {
	spec     engine.Spec
	plan     engine.Plan
	applier  *applier.Applier // the run's, set by Attach
	db       *sql.DB
	lockConn *sql.Conn // holds the GET_LOCK for the whole run
	server   *dialect.Server

	src, dst       *schema.Table
	alter          *schema.Alter
	pairs          []schema.ColumnPair
	srcKey, dstKey schema.Index
	shadowCreated  bool
	triggers       []dialect.Trigger // carried to the new table at the cut-over (triggers.go)
	// keys are the table's foreign keys as the new table has them (the
	// ALTER's renamed columns), carried at the cut-over; origKeys as the
	// table has them (foreign_keys.go).
	keys, origKeys []dialect.ForeignKey
	children       []dialect.ChildKey // other tables' keys referencing it, re-pointed at the cut-over
	cascades       []cascadeWatch     // keys whose parent's changes cascade into it (foreign_keys.go)
	sink           applier.Sink       // the stream's, for the rows cascades reach

	rows   *dialect.Rows
	stream *binlog.MySQLStream
	lags   lagTracker
	cut    *cutover.MySQL
	set    *cutover.MySQLSet // a cut-over together with other tables (CutOverTogether)
	// cutPos is the binary log position read under the cut-over's lock,
	// where a revert window's stream starts.
	cutPos *dialect.BinlogPos
}

var (
	_ engine.Engine         = (*Engine)(nil)
	_ engine.EarlySnapshots = (*Engine)(nil)
)

// New builds the engine of one run; nothing is opened before Connect.
func New(spec engine.Spec) engine.Engine { return &Engine{spec: spec} }

// Attach gives the engine the run's applier: catchUp drains it, the
// checksum point and the cut-over pause it.
func (e *Engine) Attach(a *applier.Applier) { e.applier = a }

func (e *Engine) StartStream(ctx context.Context) error {
	start, err := dialect.MasterPos(ctx, e.db)
	if err != nil {
		return err
	}
	return e.openStream(start)
}

// openStream prepares the binlog reader from start (Run reads).
func (e *Engine) openStream(start dialect.BinlogPos) error {
	c := e.spec
	e.stream = binlog.NewMySQLStream(binlog.MySQLConfig{
		Host: c.Conn.Host, Port: c.Conn.Port, User: c.Conn.User, Password: c.Conn.Password,
		MariaDB: e.server.MariaDB, Database: c.Conn.Database, Table: c.Table, Key: keyDecoder(e.src, e.srcKey),
		Parents: e.parentWatches(),
	}, start)
	c.Log.Info().Str("binlog_start", start.String()).Str("shadow", e.plan.Shadow).Msg("stream started")
	return nil
}

func (e *Engine) RunStream(ctx context.Context, sink applier.Sink) error {
	e.sink = sink // before the stream runs: its parent watches use it
	return e.stream.Run(ctx, sink)
}

// StreamLag is how far the binlog reader is behind the server.
func (e *Engine) StreamLag() time.Duration {
	if e.stream == nil {
		return 0
	}
	return e.lags.lag(e.stream.Position())
}

func (e *Engine) Tasks() map[string]func(context.Context) error {
	return map[string]func(context.Context) error{
		"stream lag": func(ctx context.Context) error { return e.lags.run(ctx, e.db, 100*time.Millisecond) },
	}
}

func (e *Engine) RowSync() (copier.Source, applier.ResyncFunc) { return e.rows, e.rows.ResyncTx }

// ResyncReady waits, before a batch's resync, for its changes to commit and
// for the copy chunks that may have read the rows before them.
func (e *Engine) ResyncReady() applier.ResyncFunc { return e.rows.ResyncReady }

func (e *Engine) Primary() *sql.DB { return e.db }

func (e *Engine) OpenReplica(ctx context.Context, host string, port int) (*sql.DB, error) {
	return openAt(ctx, e.spec.Conn, host, port)
}

func (e *Engine) ThrottleSQL() throttle.Dialect {
	return dialect.Throttle{Database: e.spec.Conn.Database}
}

func (e *Engine) CaughtUp(ctx context.Context) error {
	pos, err := dialect.MasterPos(ctx, e.db)
	if err != nil {
		return err
	}
	return e.stream.WaitFor(ctx, pos.String())
}

// catchUp brings the shadow level with the source while lock holds the
// table's writers: drain the stream to the binlog end read under the lock,
// then resync every pending key with plain reads (no writer is left).
func (e *Engine) catchUp(ctx context.Context, lock *sql.Conn) error {
	pos, err := dialect.MasterPos(ctx, lock)
	if err != nil {
		return err
	}
	if err := e.stream.WaitFor(ctx, pos.String()); err != nil {
		return fmt.Errorf("drain stream while writes are held: %w", err)
	}
	e.cutPos = &pos
	return e.applier.Drain(ctx, e.rows.ResyncWritesBlocked)
}

func (e *Engine) CutOverAttempt(ctx context.Context) error {
	if e.cut == nil {
		e.cut = &cutover.MySQL{DB: e.db, Database: e.spec.Conn.Database, Table: e.spec.Table, Shadow: e.plan.Shadow,
			Old: e.plan.Old, LockTimeout: e.spec.CutOverLockTimeout, Applier: e.applier, CatchUp: e.catchUp,
			AutoIncrement: e.alter.AutoIncrement, Triggers: e.triggers, ForeignKeys: e.keys,
			Children: e.children}
	}
	return e.cut.Attempt(ctx)
}

// Close releases the run lock and the pool; MySQL keeps nothing on the
// server for a resume, so keptForResume changes nothing here.
func (e *Engine) Close(keptForResume bool) {
	if e.lockConn != nil {
		dialect.CloseLockConn(e.lockConn, dialect.RunLockName(e.spec.Conn.Database, e.spec.Table))
	}
	if e.db != nil {
		e.db.Close()
	}
}

// BeforeCopy drops the shadow's plain secondary indexes; AfterCopy adds
// them back in one sorted build.
func (e *Engine) BeforeCopy(ctx context.Context) ([]string, error) {
	build, err := dialect.DeferIndexes(ctx, e.db, e.spec.Conn.Database, e.plan.Shadow, e.cascadeColumns())
	if err != nil || build == "" {
		return nil, err
	}
	return []string{build}, nil
}

func (e *Engine) AfterCopy(ctx context.Context, builds []string) error {
	for _, build := range builds {
		t0 := time.Now()
		if err := dialect.BuildIndexes(ctx, e.db, build); err != nil {
			return fmt.Errorf("build the shadow's secondary indexes after the copy: %w", err)
		}
		e.spec.Log.Info().Str("alter", build).Dur("took", time.Since(t0)).Msg("shadow indexes built")
	}
	return e.analyzeShadow(ctx)
}

// analyzeShadow refreshes the shadow's statistics (dialect.AnalyzeSQL);
// a failure only costs plans until InnoDB recounts, so it is a warning.
func (e *Engine) analyzeShadow(ctx context.Context) error {
	t0 := time.Now()
	if _, err := e.db.ExecContext(ctx, dialect.AnalyzeSQL(e.spec.Conn.Database, e.plan.Shadow)); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		e.spec.Log.Warn().Err(err).Msg("could not refresh the shadow's statistics; InnoDB recounts them in the background")
		return nil
	}
	e.spec.Log.Info().Dur("took", time.Since(t0)).Msg("shadow statistics refreshed")
	return nil
}
