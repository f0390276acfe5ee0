package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/hotswap/hotswap/binlog"
	dialect "github.com/hotswap/hotswap/dialect/postgres"
	"github.com/hotswap/hotswap/engine"
	"github.com/hotswap/hotswap/job"
	"github.com/jackc/pglogrepl"
)

// The revert window on PostgreSQL: a second publication, on the shadow, and
// a second slot, both made before the cut-over (creating a slot waits for
// every open transaction: never under the cut-over's lock). A publication
// follows its table by OID, so after the swap the slot streams the table
// (the former shadow) under its new name; the stream matches it by OID.
// The cut-over transaction reads the WAL insert position last: the forward
// applier's writes into the shadow committed before it, and are already in
// the old table, so the stream skips every transaction committed up to it.
// Each key changed since is resynced into the old table by a Rows with the
// column map reversed; a revert is one more cut-over, swapping back.

// revState is what the window holds on the server from PrepareReverse on.
type revState struct {
	slot, pub    string // the same name (dialect.RevertSlotName)
	pubCreated   bool
	stream       *binlog.PostgresStream
	streamOpened bool          // the slot may exist: drop it
	cutLSN       atomic.Uint64 // the cut-over's WAL insert position (markCutOver)
	cutXid       atomic.Uint32 // the cut-over transaction's xid (markCutOver)
	confirmed    atomic.Uint64 // the last checkpointed position of the window: the slot keeps the WAL after it
	xids         xidTracker    // the reverse stream's transactions, for the resync's visibility wait
}

// PrepareReverse refuses a window whose rows could not go back into the old
// table, then creates the reverse publication and slot.
func (e *Engine) PrepareReverse(ctx context.Context) error {
	if e.spec.RevertWindow <= 0 {
		return nil
	}
	if err := e.checkReversible(ctx); err != nil {
		return err
	}
	c := e.spec
	e.nameReverse()
	if err := e.dropStaleReverse(ctx); err != nil {
		return err
	}
	if err := dialect.CreatePublication(ctx, e.db, e.rev.pub, c.Schema, e.plan.Shadow); err != nil {
		return fmt.Errorf("revert window: %w", err)
	}
	e.rev.pubCreated = true
	e.newReverseStream(e.dst.OID, e.dstKey)
	lsn, err := e.rev.stream.Start(ctx)
	if err != nil {
		return fmt.Errorf("revert window: %w", err)
	}
	e.rev.confirmed.Store(uint64(lsn))
	c.Log.Info().Str("slot", e.rev.slot).Str("publication", e.rev.pub).Str("start_lsn", lsn.String()).
		Str("shadow", e.plan.Shadow).Msg("revert window: reverse stream prepared")
	return nil
}

// nameReverse sets the reverse slot's and publication's name.
func (e *Engine) nameReverse() {
	c := e.spec
	e.rev.slot = dialect.RevertSlotName(c.Conn.Database+"."+c.Schema, c.Table)
	e.rev.pub = e.rev.slot
}

// newReverseStream prepares the reverse stream of the relation of OID rel
// (the shadow, then the table), identified by key (its names for the key).
// The slot confirms no further than the window's last checkpoint, so a
// window stopped by a crash can be resumed from it.
func (e *Engine) newReverseStream(rel uint32, key []string) {
	c := e.spec
	e.rev.stream = binlog.NewPostgresStream(binlog.PostgresConfig{
		ConnString: pgConfig(c.Conn).ConnString(), Slot: e.rev.slot, Publication: e.rev.pub,
		Schema: c.Schema, Table: c.Table, RelationID: rel, KeyColumns: key,
		Skip:      e.skipReverse,
		Confirmed: func() pglogrepl.LSN { return pglogrepl.LSN(e.rev.confirmed.Load()) },
		OnTxn:     e.rev.xids.add, Log: c.Log,
	})
	e.rev.streamOpened = true
}

// checkReversible refuses the window when a row inserted after the cut-over
// could not go back into the old table: a column the ALTER dropped is NOT
// NULL without a default, or a new column's type has no assignment cast to
// the old one's (a TYPE ... USING conversion).
func (e *Engine) checkReversible(ctx context.Context) error {
	c := e.spec
	m := e.forwardMap()
	missing, err := dialect.NotNullNoDefault(ctx, e.db, c.Schema, c.Table, m.kept())
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		return job.Refuse("--revert-window: the ALTER drops %s, NOT NULL without a default: a row inserted after the cut-over could not go back into the old table; give it a default first (ALTER TABLE %s ALTER COLUMN %s SET DEFAULT ...) or run without --revert-window",
			strings.Join(missing, ", "), dialect.QualifiedName(c.Schema, c.Table), dialect.QuoteIdent(missing[0]))
	}
	if err := m.rows(e.db, c.Schema, e.plan.Shadow, c.Table).CheckAssignable(ctx); err != nil {
		return job.Refuse("--revert-window: %v: the changes made after the cut-over could not go back into the old table; run without --revert-window", err)
	}
	return nil
}

// dropStaleReverse drops a reverse slot and publication of this table that
// a run which died in its window left: this run holds the table's run lock,
// so no live run uses them, and being a new run (not a --resume), it has
// dropped or been refused that window's old table.
func (e *Engine) dropStaleReverse(ctx context.Context) error {
	slots, err := dialect.StraySlots(ctx, e.db, e.rev.slot)
	if err != nil {
		return err
	}
	pub, err := dialect.PublicationExists(ctx, e.db, e.rev.pub)
	if err != nil {
		return err
	}
	if !pub && !slices.Contains(slots, e.rev.slot) {
		return nil
	}
	e.spec.Log.Warn().Str("slot", e.rev.slot).Str("publication", e.rev.pub).Msg("revert window: dropping the reverse slot and publication an earlier run left")
	if err := errors.Join(dialect.DropSlot(ctx, e.db, e.rev.slot), dialect.DropPublication(ctx, e.db, e.rev.pub)); err != nil {
		return fmt.Errorf("revert window: drop what an earlier run's window left: %w", err)
	}
	return nil
}

// markCutOver records, last thing in the cut-over transaction, the WAL
// insert position and the transaction's xid: every transaction committed
// before it is before the swap, every one committed after the swap is past
// it. A failed attempt's values are overwritten by the next attempt's.
func (e *Engine) markCutOver(ctx context.Context, lock *sql.Conn) error {
	if e.rev.stream == nil {
		return nil
	}
	lsn, xid, err := dialect.CutOverMark(ctx, lock)
	if err != nil {
		return fmt.Errorf("revert window: %w", err)
	}
	e.rev.cutLSN.Store(uint64(lsn))
	e.rev.cutXid.Store(xid)
	return nil
}

// skipReverse tells the reverse stream which transactions are already in
// the old table: those committed before the cut-over (the forward
// applier's writes into the shadow) and the cut-over's own (its last
// resyncs made shadow rows from the old table's, locked as they are).
func (e *Engine) skipReverse(commit pglogrepl.LSN, xid uint32) bool {
	return uint64(commit) <= e.rev.cutLSN.Load() || xid == e.rev.cutXid.Load()
}

// DropReverse drops the reverse slot and publication when no cut-over
// followed PrepareReverse, or those a window stopped by a crash left.
func (e *Engine) DropReverse(ctx context.Context) error {
	if e.rev.slot == "" {
		e.nameReverse()
		e.rev.streamOpened, e.rev.pubCreated = true, true // there or not: both drops are IF EXISTS
	}
	return e.closeReverse(ctx, true)
}

// closeReverse closes the reverse stream's connection (the walsender lets
// go of the slot) and, with drop, drops the slot and the publication.
func (e *Engine) closeReverse(ctx context.Context, drop bool) error {
	var errs []error
	if e.rev.stream != nil {
		errs = append(errs, e.rev.stream.Close(ctx))
	}
	if !drop {
		if e.rev.streamOpened || e.rev.pubCreated {
			e.spec.Log.Warn().Str("slot", e.rev.slot).Str("publication", e.rev.pub).
				Msg("revert window: the server went away: the reverse slot and publication are kept for --resume; the slot holds WAL on the server until the window is resumed or `hotswap cleanup` drops it")
		}
		return errors.Join(errs...)
	}
	if e.rev.streamOpened {
		if err := dialect.DropSlot(ctx, e.db, e.rev.slot); err != nil {
			errs = append(errs, err)
		} else {
			e.rev.streamOpened = false
		}
	}
	if e.rev.pubCreated {
		if err := dialect.DropPublication(ctx, e.db, e.rev.pub); err != nil {
			errs = append(errs, err)
		} else {
			e.rev.pubCreated = false
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("revert window: %w; drop them by hand: %s; %s;", err, dialect.DropSlotSQL(e.rev.slot), dialect.DropPublicationSQL(e.rev.pub))
	}
	return nil
}

// Reverse opens the window after the cut-over: the reverse stream starts at
// the slot's consistent point and skips through the cut-over. The forward
// slot and publication are dropped now: the forward stream has ended, and
// its slot would keep WAL for the whole window.
func (e *Engine) Reverse(ctx context.Context) (engine.Reverse, error) {
	if e.rev.stream == nil || !e.rev.streamOpened {
		return nil, errors.New("revert window: no reverse stream was prepared before the cut-over")
	}
	cut := pglogrepl.LSN(e.rev.cutLSN.Load())
	if cut == 0 {
		return nil, errors.New("revert window: the cut-over recorded no WAL position")
	}
	if uint64(cut) > e.rev.confirmed.Load() { // nothing before the cut-over is ever needed again
		e.rev.confirmed.Store(uint64(cut))
	}
	e.dropForward(ctx)
	return e.newReverse(ctx, cut, e.forwardMap())
}

// newReverse is the window's side, over the column map m.
func (e *Engine) newReverse(ctx context.Context, cut pglogrepl.LSN, m revMap) (*reverse, error) {
	c := e.spec
	r := &reverse{e: e, cut: cut, m: m, rows: m.rows(e.db, c.Schema, c.Table, e.plan.Old)}
	defaults, err := dialect.ColumnDefaults(ctx, e.db, c.Schema, e.plan.Old, r.rows.Keep)
	if err != nil {
		return nil, fmt.Errorf("revert window: %w", err)
	}
	r.defaults = defaults
	c.Log.Info().Str("cut_over_lsn", cut.String()).Str("old", e.plan.Old).Strs("kept", r.rows.Keep).Msg("revert window: reverse stream starts")
	return r, nil
}

// dropForward ends the forward stream and drops its slot and publication;
// Close tries again if this fails.
func (e *Engine) dropForward(ctx context.Context) {
	if !e.streamOpened && !e.pubCreated {
		return
	}
	var errs []error
	if e.stream != nil {
		errs = append(errs, e.stream.Close(ctx))
	}
	if e.streamOpened {
		errs = append(errs, dialect.DropSlot(ctx, e.db, e.slot))
	}
	if e.pubCreated {
		errs = append(errs, dialect.DropPublication(ctx, e.db, e.pub))
	}
	if err := errors.Join(errs...); err != nil {
		e.spec.Log.Warn().Err(err).Str("slot", e.slot).Msg("revert window: the migration's slot is still there (it keeps WAL); the run drops it when it ends")
	}
}
