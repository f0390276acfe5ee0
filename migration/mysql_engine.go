package migration

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/hotswap/hotswap/applier"
	"github.com/hotswap/hotswap/binlog"
	"github.com/hotswap/hotswap/copier"
	"github.com/hotswap/hotswap/cutover"
	"github.com/hotswap/hotswap/dialect/mysql"
	"github.com/hotswap/hotswap/schema"
	"github.com/hotswap/hotswap/throttle"
)

// mysqlEngine runs a migration on MySQL or MariaDB: binlog stream, sentry
// cut-over, GET_LOCK run lock.
type mysqlEngine struct {
	m        *Migration
	db       *sql.DB
	lockConn *sql.Conn // holds the GET_LOCK for the whole run
	server   *mysql.Server

	src, dst       *schema.Table
	alter          *schema.Alter
	pairs          []schema.ColumnPair
	srcKey, dstKey schema.Index
	shadowCreated  bool

	rows   *mysql.Rows
	stream *binlog.MySQLStream
	lags   lagTracker
	cut    *cutover.MySQL
}

var _ engine = (*mysqlEngine)(nil)

func (e *mysqlEngine) startStream(ctx context.Context) error {
	start, err := mysql.MasterPos(ctx, e.db)
	if err != nil {
		return err
	}
	return e.openStream(start)
}

// openStream prepares the binlog reader from start (Run reads).
func (e *mysqlEngine) openStream(start mysql.BinlogPos) error {
	c := e.m.cfg
	e.stream = binlog.NewMySQLStream(binlog.MySQLConfig{
		Host: c.Conn.Host, Port: c.Conn.Port, User: c.Conn.User, Password: c.Conn.Password,
		MariaDB: e.server.MariaDB, Database: c.Conn.Database, Table: c.Table, Key: keyDecoder(e.src, e.srcKey),
	}, start)
	c.Log.Info().Str("binlog_start", start.String()).Str("shadow", e.m.shadow).Msg("stream started")
	return nil
}

func (e *mysqlEngine) runStream(ctx context.Context, sink binlog.Sink) error {
	return e.stream.Run(ctx, sink)
}

// streamLag is how far the binlog reader is behind the server.
func (e *mysqlEngine) streamLag() time.Duration {
	if e.stream == nil {
		return 0
	}
	return e.lags.lag(e.stream.Position())
}

func (e *mysqlEngine) tasks() map[string]func(context.Context) error {
	return map[string]func(context.Context) error{
		"stream lag": func(ctx context.Context) error { return e.lags.run(ctx, e.db, 100*time.Millisecond) },
	}
}

func (e *mysqlEngine) rowSync() (copier.Source, applier.ResyncFunc) { return e.rows, e.rows.ResyncTx }

// resyncReady waits, before a batch's resync, for its changes to commit and
// for the copy chunks that may have read the rows before them.
func (e *mysqlEngine) resyncReady() applier.ResyncFunc { return e.rows.ResyncReady }

func (e *mysqlEngine) primary() *sql.DB { return e.db }

func (e *mysqlEngine) openReplica(ctx context.Context, host string, port int) (*sql.DB, error) {
	c := e.m.cfg.Conn
	c.Host, c.Port = host, port
	return mysql.Open(ctx, c)
}

func (e *mysqlEngine) throttleSQL() throttle.Dialect {
	return mysql.Throttle{Database: e.m.cfg.Conn.Database}
}

func (e *mysqlEngine) caughtUp(ctx context.Context) error {
	pos, err := mysql.MasterPos(ctx, e.db)
	if err != nil {
		return err
	}
	return e.stream.WaitFor(ctx, pos.String())
}

// catchUp brings the shadow level with the source while lock holds the
// table's writers: drain the stream to the binlog end read under the lock,
// then resync every pending key with plain reads (no writer is left).
func (e *mysqlEngine) catchUp(ctx context.Context, lock *sql.Conn) error {
	pos, err := mysql.MasterPos(ctx, lock)
	if err != nil {
		return err
	}
	if err := e.stream.WaitFor(ctx, pos.String()); err != nil {
		return fmt.Errorf("drain stream while writes are held: %w", err)
	}
	return e.m.applier.Drain(ctx, e.rows.ResyncWritesBlocked)
}

func (e *mysqlEngine) cutOverAttempt(ctx context.Context) error {
	if e.cut == nil {
		e.cut = &cutover.MySQL{DB: e.db, Database: e.m.cfg.Conn.Database, Table: e.m.cfg.Table, Shadow: e.m.shadow,
			Old: e.m.old, LockTimeout: e.m.cfg.CutOverLockTimeout, Applier: e.m.applier, CatchUp: e.catchUp,
			AutoIncrement: e.alter.AutoIncrement}
	}
	return e.cut.Attempt(ctx)
}

func (e *mysqlEngine) close() {
	if e.lockConn != nil {
		mysql.CloseLockConn(e.lockConn, mysql.RunLockName(e.m.cfg.Conn.Database, e.m.cfg.Table))
	}
	if e.db != nil {
		e.db.Close()
	}
}

// beforeCopy drops the shadow's plain secondary indexes; afterCopy adds
// them back in one sorted build.
func (e *mysqlEngine) beforeCopy(ctx context.Context) ([]string, error) {
	build, err := mysql.DeferIndexes(ctx, e.db, e.m.cfg.Conn.Database, e.m.shadow)
	if err != nil || build == "" {
		return nil, err
	}
	return []string{build}, nil
}

func (e *mysqlEngine) afterCopy(ctx context.Context, builds []string) error {
	for _, build := range builds {
		t0 := time.Now()
		if err := mysql.BuildIndexes(ctx, e.db, build); err != nil {
			return fmt.Errorf("build the shadow's secondary indexes after the copy: %w", err)
		}
		e.m.cfg.Log.Info().Str("alter", build).Dur("took", time.Since(t0)).Msg("shadow indexes built")
	}
	return nil
}
