// Package postgres is the PostgreSQL engine of a run (engine.Engine): the
// preflight, the shadow, a pgoutput slot and publication for the change
// stream, the checksum point, the one-transaction cut-over and the cleanup.
// Importing it registers it as engine.Postgres.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/hotswap/hotswap/applier"
	"github.com/hotswap/hotswap/binlog"
	"github.com/hotswap/hotswap/copier"
	"github.com/hotswap/hotswap/cutover"
	dialect "github.com/hotswap/hotswap/dialect/postgres"
	"github.com/hotswap/hotswap/engine"
	"github.com/hotswap/hotswap/schema"
	"github.com/hotswap/hotswap/throttle"
	"github.com/jackc/pglogrepl"
)

// Engine runs a migration on PostgreSQL: a publication and a pgoutput slot
// for the change stream, advisory run lock, one-transaction cut-over.
type Engine struct {
	spec     engine.Spec
	plan     engine.Plan
	applier  *applier.Applier // the run's, given by Attach
	db       *sql.DB
	lockConn *sql.Conn // holds the advisory run lock for the whole run
	version  string

	src, dst       *dialect.Table
	pairs          []schema.ColumnPair
	srcKey, dstKey []string
	shadowCreated  bool
	usings         []schema.PGTypeUsing // the ALTER's TYPE ... USING subcommands
	alterSet       dialect.AlterSet     // the settings the ALTER sets; nil: unknown, follow none
	deps           *dialect.Dependents  // foreign keys and triggers the cut-over carries (dependents.go)

	rows         *dialect.Rows
	slot, pub    string
	pubCreated   bool
	stream       *binlog.PostgresStream
	streamOpened bool
	xids         xidTracker
	cut          *cutover.Postgres
	set          *cutover.PostgresSet // a cut-over together with other tables (CutOverTogether)
	confirmed    atomic.Uint64        // the last checkpointed LSN: the slot keeps the WAL after it
	rev          revState             // the revert window's slot and publication (reverse.go)
}

var _ engine.Engine = (*Engine)(nil)

// New builds the engine of the run spec describes.
func New(spec engine.Spec) engine.Engine { return &Engine{spec: spec} }

// Attach gives the engine the run's applier: its catch-ups drain it, its
// checksum point and cut-over pause it.
func (e *Engine) Attach(a *applier.Applier) { e.applier = a }

// StartStream creates the publication, then the slot: every transaction
// committed after the slot's consistent point reaches the stream.
func (e *Engine) StartStream(ctx context.Context) error {
	c := e.spec
	if err := dialect.CreatePublication(ctx, e.db, e.pub, c.Schema, c.Table); err != nil {
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
		Str("shadow", e.plan.Shadow).Msg("stream started")
	return nil
}

func (e *Engine) newStream() {
	c := e.spec
	e.stream = binlog.NewPostgresStream(binlog.PostgresConfig{
		ConnString: pgConfig(e.spec.Conn).ConnString(), Slot: e.slot, Publication: e.pub,
		Schema: c.Schema, Table: c.Table, KeyColumns: e.srcKey, OnTxn: e.xids.add, Log: c.Log,
		Confirmed: func() pglogrepl.LSN { return pglogrepl.LSN(e.confirmed.Load()) },
	})
	e.streamOpened = true
}

func (e *Engine) RunStream(ctx context.Context, sink applier.Sink) error {
	return e.stream.Run(ctx, sink)
}

func (e *Engine) StreamLag() time.Duration {
	if e.stream == nil {
		return 0
	}
	return e.stream.Lag()
}

func (e *Engine) Tasks() map[string]func(context.Context) error { return nil }

// RowSync resyncs keys once the transactions that changed them are visible
// to new snapshots (a commit reaches the stream a moment before that).
func (e *Engine) RowSync() (copier.Source, applier.ResyncFunc) {
	return e.rows, func(ctx context.Context, keys [][]any) error {
		xids := e.xids.pending()
		if err := e.rows.WaitVisible(ctx, xids); err != nil {
			return err
		}
		e.xids.forget(xids)
		return e.rows.ResyncTx(ctx, keys)
	}
}

// ResyncReady is nil: the resync waits for visibility and for the copy
// chunks in flight itself.
func (e *Engine) ResyncReady() applier.ResyncFunc { return nil }

func (e *Engine) Primary() *sql.DB { return e.db }

func (e *Engine) OpenReplica(ctx context.Context, host string, port int) (*sql.DB, error) {
	return openAt(ctx, e.spec.Conn, host, port)
}

func (e *Engine) ThrottleSQL() throttle.Dialect {
	return dialect.Throttle{Schema: e.spec.Schema}
}

// CaughtUp waits for the stream to pass a WAL position written now.
func (e *Engine) CaughtUp(ctx context.Context) error {
	lsn, err := dialect.CurrentLSN(ctx, e.db)
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
// got the table's before the ALTER (dialect.CreateShadow), and this follows
// changes made to the table during the run without undoing the ALTER's.
func (e *Engine) catchUp(ctx context.Context, lock *sql.Conn) error {
	if err := e.CaughtUp(ctx); err != nil {
		return fmt.Errorf("drain the stream under the cut-over lock: %w", err)
	}
	err := e.applier.Drain(ctx, func(ctx context.Context, keys [][]any) error {
		return e.rows.Resync(ctx, lock, keys)
	})
	if err != nil {
		return err
	}
	c := e.spec
	stmts, err := dialect.CarryOverSQL(ctx, lock, c.Schema, c.Table, e.plan.Shadow)
	if err != nil {
		return err
	}
	if e.alterSet != nil {
		settings, err := dialect.CarrySettingsSQL(ctx, lock, c.Schema, c.Table, e.plan.Shadow, e.alterSet)
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
	return e.markCutOver(ctx, lock)
}

// CutOverAttempt swaps the tables in one transaction, or leaves both as they
// were; objects bound to the table end the retries (engine.NoRetry).
func (e *Engine) CutOverAttempt(ctx context.Context) error {
	s := e.spec
	if e.cut == nil {
		e.cut = &cutover.Postgres{DB: e.db, Schema: s.Schema, Table: s.Table, Shadow: e.plan.Shadow, Old: e.plan.Old,
			LockTimeout: s.CutOverLockTimeout, KillBlockersAfter: s.KillBlockersAfter, Applier: e.applier, CatchUp: e.catchUp,
			Dependents: e.deps}
	}
	err := e.cut.Attempt(ctx)
	if errors.Is(err, cutover.ErrBoundObjects) || errors.Is(err, dialect.ErrDependentsChanged) {
		return engine.NoRetry{Err: err} // another attempt would find them too
	}
	return err
}

// Close drops the slot and the publication (a slot left behind keeps WAL
// forever), and with them the checkpoint, useless without the slot; then
// releases the run lock. Only a crash leaves them (keptForResume), for a
// --resume. A revert window's slot and publication, if still there, go too
// (a --resume has no use for them), unless the server went away.
func (e *Engine) Close(keptForResume bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var errs []error
	if e.streamOpened && e.stream != nil {
		errs = append(errs, e.stream.Close(ctx))
	}
	if err := e.closeReverse(ctx, !keptForResume); err != nil { // left by a window not released
		e.spec.Log.Error().Err(err).Msg("revert window: could not drop the reverse slot or publication")
	}
	if keptForResume {
		e.spec.Log.Warn().Str("slot", e.slot).Str("publication", e.pub).Str("checkpoint", e.plan.Checkpoint).
			Msg("the server went away: slot, publication and checkpoint kept for --resume; the slot holds WAL on the server until the run is resumed or `hotswap cleanup` drops it")
		e.closeConns()
		return
	}
	if e.streamOpened {
		errs = append(errs, dialect.DropSlot(ctx, e.db, e.slot), e.DropCheckpoint(ctx))
	}
	if e.pubCreated {
		errs = append(errs, dialect.DropPublication(ctx, e.db, e.pub))
	}
	if err := errors.Join(errs...); err != nil {
		e.spec.Log.Error().Err(err).Str("slot", e.slot).Str("publication", e.pub).
			Msgf("could not drop the replication slot or publication: drop them by hand: %s; %s;", dialect.DropSlotSQL(e.slot), dialect.DropPublicationSQL(e.pub))
	}
	e.closeConns()
}

func (e *Engine) closeConns() {
	if e.lockConn != nil {
		dialect.CloseLockConn(e.lockConn, e.spec.Schema, e.spec.Table)
	}
	if e.db != nil {
		e.db.Close()
	}
}

// BeforeCopy drops the shadow's plain secondary indexes; AfterCopy builds
// them in one sorted pass each (IF NOT EXISTS: a resume may find some).
func (e *Engine) BeforeCopy(ctx context.Context) ([]string, error) {
	return dialect.DeferIndexes(ctx, e.db, e.spec.Schema, e.plan.Shadow)
}

func (e *Engine) AfterCopy(ctx context.Context, builds []string) error {
	for _, stmt := range builds {
		t0 := time.Now()
		if _, err := e.db.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("build shadow index after the copy: %s: %w", stmt, err)
		}
		e.spec.Log.Info().Str("index", stmt).Dur("took", time.Since(t0)).Msg("shadow index built")
	}
	return e.analyzeShadow(ctx)
}

// analyzeShadow refreshes the shadow's statistics (dialect.AnalyzeSQL);
// a failure only costs plans until autovacuum analyzes it, so it is a
// warning.
func (e *Engine) analyzeShadow(ctx context.Context) error {
	t0 := time.Now()
	if _, err := e.db.ExecContext(ctx, dialect.AnalyzeSQL(e.spec.Schema, e.plan.Shadow)); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		e.spec.Log.Warn().Err(err).Msg("could not refresh the shadow's statistics; autovacuum analyzes it later")
		return nil
	}
	e.spec.Log.Info().Dur("took", time.Since(t0)).Msg("shadow statistics refreshed")
	return nil
}
