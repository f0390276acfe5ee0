package migration

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hotswap/hotswap/applier"
	"github.com/hotswap/hotswap/binlog"
	"github.com/hotswap/hotswap/copier"
	"github.com/hotswap/hotswap/cutover"
	"github.com/hotswap/hotswap/dialect/postgres"
	"github.com/hotswap/hotswap/schema"
	"github.com/hotswap/hotswap/throttle"
	"github.com/jackc/pglogrepl"
)

// postgresEngine runs a migration on PostgreSQL: a publication and a
// pgoutput slot for the change stream, advisory run lock, one-transaction
// cut-over.
type postgresEngine struct {
	m        *Migration
	db       *sql.DB
	lockConn *sql.Conn // holds the advisory run lock for the whole run
	version  string

	src, dst       *postgres.Table
	pairs          []schema.ColumnPair
	srcKey, dstKey []string
	shadowCreated  bool
	usings         []schema.PGTypeUsing // the ALTER's TYPE ... USING subcommands
	alterSet       postgres.AlterSet    // the settings the ALTER sets; nil: unknown, follow none

	rows         *postgres.Rows
	slot, pub    string
	pubCreated   bool
	stream       *binlog.PostgresStream
	streamOpened bool
	xids         xidTracker
	cut          *cutover.Postgres
	confirmed    atomic.Uint64 // the last checkpointed LSN: the slot keeps the WAL after it
}

var _ engine = (*postgresEngine)(nil)

func (e *postgresEngine) pgConfig() postgres.Config {
	c := e.m.cfg.Conn
	return postgres.Config{Host: c.Host, Port: c.Port, User: c.User, Password: c.Password, Database: c.Database}
}

// startStream creates the publication, then the slot: every transaction
// committed after the slot's consistent point reaches the stream.
func (e *postgresEngine) startStream(ctx context.Context) error {
	c := e.m.cfg
	if err := postgres.CreatePublication(ctx, e.db, e.pub, c.Schema, c.Table); err != nil {
		return err
	}
	e.pubCreated = true
	e.newStream()
	lsn, err := e.stream.Start(ctx)
	if err != nil {
		return err
	}
	e.confirmed.Store(uint64(lsn))
	c.Log.Info().Str("slot", e.slot).Str("publication", e.pub).Str("start_lsn", lsn.String()).
		Str("shadow", e.m.shadow).Msg("stream started")
	return nil
}

func (e *postgresEngine) newStream() {
	c := e.m.cfg
	e.stream = binlog.NewPostgresStream(binlog.PostgresConfig{
		ConnString: e.pgConfig().ConnString(), Slot: e.slot, Publication: e.pub,
		Schema: c.Schema, Table: c.Table, KeyColumns: e.srcKey, OnTxn: e.xids.add, Log: c.Log,
		Confirmed: func() pglogrepl.LSN { return pglogrepl.LSN(e.confirmed.Load()) },
	})
	e.streamOpened = true
}

func (e *postgresEngine) runStream(ctx context.Context, sink binlog.Sink) error {
	return e.stream.Run(ctx, sink)
}

func (e *postgresEngine) streamLag() time.Duration {
	if e.stream == nil {
		return 0
	}
	return e.stream.Lag()
}

func (e *postgresEngine) tasks() map[string]func(context.Context) error { return nil }

// rowSync resyncs keys once the transactions that changed them are visible
// to new snapshots (a commit reaches the stream a moment before that).
func (e *postgresEngine) rowSync() (copier.Source, applier.ResyncFunc) {
	return e.rows, func(ctx context.Context, keys [][]any) error {
		xids := e.xids.pending()
		if err := e.rows.WaitVisible(ctx, xids); err != nil {
			return err
		}
		e.xids.forget(xids)
		return e.rows.ResyncTx(ctx, keys)
	}
}

// resyncReady is nil: the resync waits for visibility and for the copy
// chunks in flight itself.
func (e *postgresEngine) resyncReady() applier.ResyncFunc { return nil }

func (e *postgresEngine) primary() *sql.DB { return e.db }

func (e *postgresEngine) openReplica(ctx context.Context, host string, port int) (*sql.DB, error) {
	c := e.pgConfig()
	c.Host, c.Port = host, port
	return postgres.Open(ctx, c)
}

func (e *postgresEngine) throttleSQL() throttle.Dialect {
	return postgres.Throttle{Schema: e.m.cfg.Schema}
}

// caughtUp waits for the stream to pass a WAL position written now.
func (e *postgresEngine) caughtUp(ctx context.Context) error {
	lsn, err := postgres.CurrentLSN(ctx, e.db)
	if err != nil {
		return err
	}
	return e.stream.WaitFor(ctx, lsn.String())
}

// catchUp runs inside the cut-over transaction, which holds the table: the
// stream is drained to a WAL position read on another connection, the last
// keys are resynced on lock, and the table's owner, grants and comment are
// carried over to the shadow as they are now, all inside the transaction;
// so are its storage parameters, replica identity, clustering index and
// statistics targets, except those the ALTER sets (e.alterSet): the shadow
// got the table's before the ALTER (postgres.CreateShadow), and this follows
// changes made to the table during the run without undoing the ALTER's.
func (e *postgresEngine) catchUp(ctx context.Context, lock *sql.Conn) error {
	if err := e.caughtUp(ctx); err != nil {
		return fmt.Errorf("drain the stream under the cut-over lock: %w", err)
	}
	err := e.m.applier.Drain(ctx, func(ctx context.Context, keys [][]any) error {
		return e.rows.Resync(ctx, lock, keys)
	})
	if err != nil {
		return err
	}
	c := e.m.cfg
	stmts, err := postgres.CarryOverSQL(ctx, lock, c.Schema, c.Table, e.m.shadow)
	if err != nil {
		return err
	}
	if e.alterSet != nil {
		settings, err := postgres.CarrySettingsSQL(ctx, lock, c.Schema, c.Table, e.m.shadow, e.alterSet)
		if err != nil {
			return err
		}
		stmts = append(stmts, settings...)
	}
	for _, stmt := range stmts {
		if _, err := lock.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("carry over to the shadow: %s: %w", stmt, err)
		}
	}
	return nil
}

func (e *postgresEngine) cutOverAttempt(ctx context.Context) error {
	m := e.m
	if e.cut == nil {
		e.cut = &cutover.Postgres{DB: e.db, Schema: m.cfg.Schema, Table: m.cfg.Table, Shadow: m.shadow, Old: m.old,
			LockTimeout: m.cfg.CutOverLockTimeout, KillBlockersAfter: m.cfg.KillBlockersAfter, Applier: m.applier, CatchUp: e.catchUp}
	}
	return e.cut.Attempt(ctx)
}

// close drops the slot and the publication (a slot left behind keeps WAL
// forever), and with them the checkpoint, useless without the slot; then
// releases the run lock. Only a crash leaves them, for a --resume.
func (e *postgresEngine) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var errs []error
	if e.streamOpened && e.stream != nil {
		errs = append(errs, e.stream.Close(ctx))
	}
	if e.m.keepForResume {
		e.m.cfg.Log.Warn().Str("slot", e.slot).Str("publication", e.pub).Str("checkpoint", e.m.chk).
			Msg("the server went away: slot, publication and checkpoint kept for --resume; the slot holds WAL on the server until the run is resumed or `hotswap cleanup` drops it")
		e.closeConns()
		return
	}
	if e.streamOpened {
		errs = append(errs, postgres.DropSlot(ctx, e.db, e.slot), e.dropCheckpoint(ctx))
	}
	if e.pubCreated {
		errs = append(errs, postgres.DropPublication(ctx, e.db, e.pub))
	}
	if err := errors.Join(errs...); err != nil {
		e.m.cfg.Log.Error().Err(err).Str("slot", e.slot).Str("publication", e.pub).
			Msgf("could not drop the replication slot or publication: drop them by hand: SELECT pg_drop_replication_slot('%s'); DROP PUBLICATION IF EXISTS %s;", e.slot, e.pub)
	}
	e.closeConns()
}

func (e *postgresEngine) closeConns() {
	if e.lockConn != nil {
		postgres.CloseLockConn(e.lockConn, e.m.cfg.Schema, e.m.cfg.Table)
	}
	if e.db != nil {
		e.db.Close()
	}
}

// xidTracker collects the ids of the transactions the stream reported since
// the last resync, which must be visible before it reads the source.
type xidTracker struct {
	mu  sync.Mutex
	ids []uint32
}

func (x *xidTracker) add(xid uint32) {
	x.mu.Lock()
	x.ids = append(x.ids, xid)
	x.mu.Unlock()
}

// pending is every xid not yet seen visible. Concurrent resyncs each wait
// for all of them: one that took them away would let the others read early.
func (x *xidTracker) pending() []uint32 {
	x.mu.Lock()
	defer x.mu.Unlock()
	return slices.Clone(x.ids)
}

// forget drops the xids seen visible.
func (x *xidTracker) forget(seen []uint32) {
	if len(seen) == 0 {
		return
	}
	visible := make(map[uint32]bool, len(seen))
	for _, id := range seen {
		visible[id] = true
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	x.ids = slices.DeleteFunc(x.ids, func(id uint32) bool { return visible[id] })
}

// beforeCopy drops the shadow's plain secondary indexes; afterCopy builds
// them in one sorted pass each (IF NOT EXISTS: a resume may find some).
func (e *postgresEngine) beforeCopy(ctx context.Context) ([]string, error) {
	return postgres.DeferIndexes(ctx, e.db, e.m.cfg.Schema, e.m.shadow)
}

func (e *postgresEngine) afterCopy(ctx context.Context, builds []string) error {
	for _, stmt := range builds {
		t0 := time.Now()
		if _, err := e.db.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("build shadow index after the copy: %s: %w", stmt, err)
		}
		e.m.cfg.Log.Info().Str("index", stmt).Dur("took", time.Since(t0)).Msg("shadow index built")
	}
	return nil
}
