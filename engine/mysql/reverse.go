package mysql

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/hotswap/hotswap/applier"
	"github.com/hotswap/hotswap/binlog"
	dialect "github.com/hotswap/hotswap/dialect/mysql"
	"github.com/hotswap/hotswap/engine"
	"github.com/hotswap/hotswap/job"
	"github.com/hotswap/hotswap/schema"
)

// The revert window on MySQL and MariaDB: the binary log is followed again
// from the position the cut-over read under its lock (nothing wrote the
// table between it and the RENAME), now for the table with the new schema,
// and each changed key is resynced into the old table by a Rows with the
// column map reversed. The revert is the same sentry cut-over with the
// roles swapped: the old table is the shadow, the table goes to Reverted.

// keptColumns are the old table's columns the ALTER dropped: fed by no
// column of the new table, they keep their values in a revert window.
func keptColumns(src *schema.Table, pairs []schema.ColumnPair) []string {
	var kept []string
	for _, c := range src.Columns {
		if !c.Generated && !fed(pairs, c.Name) {
			kept = append(kept, c.Name)
		}
	}
	return kept
}

// checkReversible refuses a revert window in which rows inserted after the
// cut-over could not go back: a dropped column they would have to fill that
// has no default (strict mode rejects the insert).
func (e *Engine) checkReversible(ctx context.Context) error {
	db := e.spec.Conn.Database
	missing, err := dialect.NoDefault(ctx, e.db, db, e.spec.Table, keptColumns(e.src, e.pairs))
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		return job.Refuse("the ALTER drops %s, NOT NULL without a default: a row inserted after the cut-over could not go back into the old table, so the migration cannot be reverted; give it a default first (ALTER TABLE %s ALTER COLUMN %s SET DEFAULT ...), or migrate without --revert-window",
			strings.Join(missing, ", "), dialect.Quote(e.plan.Old), dialect.Quote(missing[0]))
	}
	return nil
}

// PrepareReverse has nothing to do on MySQL: the binary log already keeps
// what the window will read, and the cut-over records where it starts.
func (e *Engine) PrepareReverse(ctx context.Context) error { return nil }

// DropReverse has nothing to drop on MySQL.
func (e *Engine) DropReverse(ctx context.Context) error { return nil }

// Reverse builds the window's side after a cut-over: a second engine over
// the same pool with source and shadow swapped.
func (e *Engine) Reverse(ctx context.Context) (engine.Reverse, error) {
	if e.cutPos == nil {
		return nil, errors.New("revert window: the cut-over recorded no binary log position")
	}
	return e.reverseFrom(*e.cutPos, *e.cutPos), nil
}

// ResumeReverse loads the old table and the table as they are now (the
// checkpointed window's), and restarts the stream at stream, which must
// still be on the server.
func (e *Engine) ResumeReverse(ctx context.Context, cut, stream string) (engine.Reverse, error) {
	db := e.spec.Conn.Database
	cutPos, err := dialect.ParseBinlogPos(cut)
	if err != nil {
		return nil, &job.Refused{Err: err}
	}
	start, err := e.keptBinlog(ctx, stream, "the changes since cannot be replayed into the old table, so it cannot be reverted; migrate it back with a new run")
	if err != nil {
		return nil, err
	}
	if e.src, err = dialect.LoadTable(ctx, e.db, db, e.plan.Old); err != nil {
		return nil, &job.Refused{Err: err}
	}
	if e.dst, err = dialect.LoadTable(ctx, e.db, db, e.spec.Table); err != nil {
		return nil, &job.Refused{Err: err}
	}
	e.pairs = schema.MapColumns(e.src, e.dst, e.alter)
	if e.srcKey, e.dstKey, err = schema.ChooseKey(e.src, e.dst, e.pairs); err != nil {
		return nil, &job.Refused{Err: err}
	}
	if err := e.checkReversible(ctx); err != nil {
		return nil, err
	}
	tz, err := dialect.GlobalTimeZone(ctx, e.db)
	if err != nil {
		return nil, err
	}
	e.rows = &dialect.Rows{TimeZone: tz}
	return e.reverseFrom(cutPos, start), nil
}

// reverseFrom is the window's engine reading the binary log from start; cut
// is the cut-over's position.
func (e *Engine) reverseFrom(cut, start dialect.BinlogPos) engine.Reverse {
	db, table := e.spec.Conn.Database, e.spec.Table
	r := &Engine{spec: e.spec, db: e.db, server: e.server, src: e.dst, dst: e.src, alter: &schema.Alter{},
		srcKey: e.dstKey, dstKey: e.srcKey, pairs: reversePairs(e.pairs)}
	r.plan = engine.Plan{Shadow: e.plan.Old, Old: e.plan.Reverted}
	r.rows = &dialect.Rows{DB: e.db, Database: db, Source: table, Shadow: e.plan.Old, Pairs: r.pairs,
		SrcKey: r.srcKey, DstKey: r.dstKey, SrcTable: r.src, DstTable: r.dst, ShareLock: e.server.ShareLock,
		TimeZone: e.rows.TimeZone, Keep: keptColumns(e.src, e.pairs)}
	c := e.spec.Conn
	r.stream = binlog.NewMySQLStream(binlog.MySQLConfig{
		Host: c.Host, Port: c.Port, User: c.User, Password: c.Password, MariaDB: e.server.MariaDB,
		Database: db, Table: table, Key: keyDecoder(r.src, r.srcKey),
		Passes: dialect.SwapRenameSQL(db, table, e.plan.Old, e.plan.Shadow),
	}, start)
	e.spec.Log.Info().Str("binlog_start", start.String()).Str("old", e.plan.Old).Msg("revert window: reverse stream started")
	return &reverse{Engine: r, cut: cut}
}

func reversePairs(pairs []schema.ColumnPair) []schema.ColumnPair {
	out := make([]schema.ColumnPair, len(pairs))
	for i, p := range pairs {
		out[i] = schema.ColumnPair{Source: p.Target, Target: p.Source}
	}
	return out
}

// reverse is the window's engine: an Engine whose source is the table (new
// schema) and whose shadow is the old table.
type reverse struct {
	*Engine
	cut dialect.BinlogPos
}

func (r *reverse) Resync() applier.ResyncFunc {
	return func(ctx context.Context, keys [][]any) error {
		err := r.rows.ResyncTx(ctx, keys)
		var dup *dialect.DuplicateError
		if err == nil || errors.Is(err, dialect.ErrBusy) || errors.As(err, &dup) && len(dup.Conflicts) > 0 {
			return err // the applier retries these
		}
		return fmt.Errorf("the table's rows (keys %v) do not go back into the old table %s: %w", keys, r.plan.Shadow, err)
	}
}

func (r *reverse) Position() string { return r.cut.String() }

func (r *reverse) Names() (table, old, rev string) {
	db := r.spec.Conn.Database
	return db + "." + r.spec.Table, db + "." + r.plan.Shadow, db + "." + r.plan.Old
}

// PrintColumns prints which column of the table fills each old column.
func (r *reverse) PrintColumns(out io.Writer) {
	fmt.Fprintf(out, "Column map (table -> old table):\n")
	for _, p := range r.pairs {
		fmt.Fprintf(out, "  %s -> %s\n", p.Source, p.Target)
	}
	for _, c := range r.rows.Keep {
		fmt.Fprintf(out, "  (kept) %s: old rows keep their value, rows inserted since get the column's default\n", c)
	}
	for _, c := range r.src.Columns {
		if !c.Generated && !fed(r.pairs, c.Name) {
			fmt.Fprintf(out, "  (left out) %s: added by the ALTER\n", c.Name)
		}
	}
}

func fed(pairs []schema.ColumnPair, source string) bool {
	for _, p := range pairs {
		if strings.EqualFold(p.Source, source) {
			return true
		}
	}
	return false
}

// DropReverted drops the table with the new schema, kept under Reverted
// (the reverse engine's Old) after the revert.
func (r *reverse) DropReverted(ctx context.Context) error {
	return dialect.DropTable(ctx, r.db, r.spec.Conn.Database, r.plan.Old)
}

// Release has nothing to drop on MySQL: the stream ends with its context.
func (r *reverse) Release(ctx context.Context) error { return nil }

// checkRevertFrom is the preflight of a revert after the run has ended: the
// old table must be there (not a sentry), and nothing of a run in progress
// or of an earlier revert.
func (e *Engine) checkRevertFrom(ctx context.Context) error {
	db, p := e.spec.Conn.Database, e.plan
	old, err := dialect.TableExists(ctx, e.db, db, p.Old)
	if err != nil {
		return &job.Refused{Err: err}
	}
	sentry := false
	if old {
		if sentry, err = dialect.IsSentry(ctx, e.db, db, p.Old); err != nil {
			return &job.Refused{Err: err}
		}
	}
	if !old || sentry {
		return job.Refuse("nothing to revert to: the old table %s.%s is not there (dropped, e.g. by --ok-to-drop-table)", db, p.Old)
	}
	for _, name := range []string{p.Shadow, p.Checkpoint, p.Reverted} {
		exists, err := dialect.TableExists(ctx, e.db, db, name)
		if err != nil {
			return &job.Refused{Err: err}
		}
		if exists {
			return job.Refuse("table %s.%s exists: a run on %s is in progress or was left (resume it, or `hotswap cleanup`), or it was reverted already; drop or rename it first",
				db, name, e.spec.TableName)
		}
	}
	e.plan.ResumeDone = true // no shadow to prepare: the run goes to the revert
	return nil
}
