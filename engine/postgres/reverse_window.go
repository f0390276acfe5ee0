package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/hotswap/hotswap/applier"
	"github.com/hotswap/hotswap/cutover"
	dialect "github.com/hotswap/hotswap/dialect/postgres"
	"github.com/hotswap/hotswap/engine"
	"github.com/jackc/pglogrepl"
)

// reverse is the window's side of the run: the table (new schema) is its
// source, the old table its shadow.
type reverse struct {
	e        *Engine
	cut      pglogrepl.LSN
	m        revMap
	rows     *dialect.Rows
	defaults map[string]string // kept column -> what a new row gets (dialect.ColumnDefaults)
	applier  *applier.Applier
	cutover  *cutover.Postgres
}

var _ engine.Reverse = (*reverse)(nil)

func (r *reverse) RunStream(ctx context.Context, sink applier.Sink) error {
	return r.e.rev.stream.Run(ctx, sink)
}

func (r *reverse) StreamLag() time.Duration { return r.e.rev.stream.Lag() }

func (r *reverse) Tasks() map[string]func(context.Context) error { return nil }

// Resync waits, as the forward RowSync does, for the transactions that
// changed the keys to be visible, then resyncs them into the old table. An
// error the applier cannot retry stops the window: it says which rows could
// not go back.
func (r *reverse) Resync() applier.ResyncFunc {
	return func(ctx context.Context, keys [][]any) error {
		xids := r.e.rev.xids.pending()
		if err := r.rows.WaitVisible(ctx, xids); err != nil {
			return err
		}
		r.e.rev.xids.forget(xids)
		return r.explain(r.rows.ResyncTx(ctx, keys))
	}
}

// explain words a resync error for the window, leaving those the applier
// retries (busy, stale rows to add to the batch) as they are.
func (r *reverse) explain(err error) error {
	var busy applier.Busy
	var dup *dialect.DuplicateError
	switch {
	case err == nil, errors.As(err, &busy) && busy.Busy():
		return err
	case errors.As(err, &dup) && len(dup.Conflicts) > 0:
		return err
	case errors.As(err, &dup):
		return fmt.Errorf("the table holds values that unique index %q of the old table %s rejects (%s), written since the cut-over: they cannot go back; the revert window stops",
			dup.Constraint, r.oldName(), dup.Detail)
	}
	return fmt.Errorf("a change made since the cut-over cannot go back into the old table %s, the revert window stops: %w", r.oldName(), err)
}

func (r *reverse) ResyncReady() applier.ResyncFunc { return nil }

func (r *reverse) Attach(a *applier.Applier) { r.applier = a }

// CaughtUp waits for the reverse stream to pass a WAL position written now.
func (r *reverse) CaughtUp(ctx context.Context) error {
	lsn, err := dialect.CurrentLSN(ctx, r.e.db)
	if err != nil {
		return err
	}
	return r.e.rev.stream.WaitFor(ctx, lsn.String())
}

// CutOverAttempt swaps back in one transaction: the old table takes the
// table's name (and its index, constraint and sequence names back), the
// table goes to Reverted; or both stay as they were.
func (r *reverse) CutOverAttempt(ctx context.Context) error {
	s, p := r.e.spec, r.e.plan
	if r.cutover == nil {
		r.cutover = &cutover.Postgres{DB: r.e.db, Schema: s.Schema, Table: s.Table, Shadow: p.Old, Old: p.Reverted, Back: true,
			LockTimeout: s.CutOverLockTimeout, KillBlockersAfter: s.KillBlockersAfter, Applier: r.applier, CatchUp: r.catchUp}
	}
	err := r.cutover.Attempt(ctx)
	if errors.Is(err, cutover.ErrBoundObjects) {
		return engine.NoRetry{Err: err}
	}
	return err
}

// catchUp is the forward one's mirror, inside the revert's transaction: the
// reverse stream drained, the last keys resynced on lock, and the table's
// owner, grants, comment and settings (but the ALTER's: the old table keeps
// its own) carried over to the old table as they are now.
func (r *reverse) catchUp(ctx context.Context, lock *sql.Conn) error {
	if err := r.CaughtUp(ctx); err != nil {
		return fmt.Errorf("drain the reverse stream under the revert's lock: %w", err)
	}
	err := r.applier.Drain(ctx, func(ctx context.Context, keys [][]any) error {
		return r.explain(r.rows.Resync(ctx, lock, keys))
	})
	if err != nil {
		return err
	}
	s, old := r.e.spec, r.e.plan.Old
	stmts, err := dialect.CarryOverSQL(ctx, lock, s.Schema, s.Table, old)
	if err != nil {
		return err
	}
	if r.e.alterSet != nil {
		settings, err := dialect.CarrySettingsSQL(ctx, lock, s.Schema, s.Table, old, r.e.alterSet)
		if err != nil {
			return err
		}
		stmts = append(stmts, settings...)
	}
	for _, stmt := range stmts {
		if _, err := lock.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("carry over to the old table: %s: %w", stmt, err)
		}
	}
	return nil
}

// Position is the cut-over's WAL position, from which the window streams.
func (r *reverse) Position() string { return r.cut.String() }

// RestartPosition is the end of the last transaction handed to the window's
// applier.
func (r *reverse) RestartPosition() string { return r.e.rev.stream.RestartPosition() }

// Checkpointed lets the reverse slot release the WAL before a saved position.
func (r *reverse) Checkpointed(pos string) {
	if lsn, err := pglogrepl.ParseLSN(pos); err == nil && uint64(lsn) > r.e.rev.confirmed.Load() {
		r.e.rev.confirmed.Store(uint64(lsn))
	}
}

func (r *reverse) Names() (table, old, rev string) {
	s := r.e.spec.Schema
	return s + "." + r.e.spec.Table, r.oldName(), s + "." + r.e.plan.Reverted
}

func (r *reverse) oldName() string { return r.e.spec.Schema + "." + r.e.plan.Old }

// PrintColumns prints which column of the table fills each old column, the
// columns the ALTER added (left out) and those it dropped (kept).
func (r *reverse) PrintColumns(out io.Writer) {
	table, old := r.e.spec.Table, r.e.plan.Old
	fmt.Fprintf(out, "Column map (table -> old table):\n")
	for _, p := range r.rows.Pairs {
		fmt.Fprintf(out, "  %s.%s -> %s.%s\n", table, p.Source, old, p.Target)
	}
	fed := map[string]bool{}
	for _, p := range r.rows.Pairs {
		fed[p.Source] = true
	}
	for _, c := range r.m.table.Columns {
		if !fed[c.Name] && !c.Generated {
			fmt.Fprintf(out, "  (left out) %s: added by the ALTER, %s has no such column\n", c.Name, old)
		}
	}
	for _, c := range r.rows.Keep {
		def := "NULL"
		switch d := r.defaults[c]; d {
		case "":
		case "identity":
			def = "the next identity value"
		default:
			def = "DEFAULT " + d
		}
		fmt.Fprintf(out, "  (kept) %s: dropped by the ALTER; rows of %s keep their value, rows inserted since get %s\n", c, old, def)
	}
}

// Release drops the reverse slot and publication, once the runner has
// stopped RunStream: no WAL is kept past the window.
func (r *reverse) Release(ctx context.Context) error { return r.e.closeReverse(ctx, true) }
