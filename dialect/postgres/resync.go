package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// ResyncTx resyncs keys in a READ COMMITTED transaction of its own, after the
// copy chunks in flight at the call have ended (see internal/inflight). Call
// WaitVisible for the transactions that dirtied the keys first: the resync
// reads what its statements' snapshots see.
func (r *Rows) ResyncTx(ctx context.Context, keys [][]any) error {
	if len(keys) == 0 {
		return nil
	}
	if err := r.copies.WaitOlder(ctx); err != nil {
		return fmt.Errorf("resync %d keys: wait for the copy chunks in flight: %w", len(keys), err)
	}
	tx, err := r.DB.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
	if err != nil {
		return fmt.Errorf("begin resync: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	if err := r.Resync(ctx, tx, keys); err != nil {
		return retryable(err)
	}
	if err := tx.Commit(); err != nil {
		return retryable(fmt.Errorf("commit resync of %d keys: %w", len(keys), err))
	}
	return nil
}

// Resync makes the shadow rows of keys equal to the source rows: delete them,
// then insert what the source holds now (keys gone from the source stay
// deleted). Never an upsert: a clash on another unique index must surface.
// q must be inside a transaction (the cut-over's, holding its lock, or
// ResyncTx's). The work runs under a savepoint, so on any error q's
// transaction is left as it was and stays usable.
//
// With Keep columns, the shadow rows replaced keep their values of them
// (replaceKeeping).
//
// A unique violation returns *DuplicateError naming the stale shadow rows to
// add to the batch (none: the source itself holds the duplicate); one on the
// row key's index means a copy chunk inserted a key of the batch meanwhile,
// and returns an error whose Busy() is true: retry. A value a shadow column
// cannot hold returns *ValueError, naming the row and the column if found.
func (r *Rows) Resync(ctx context.Context, q Querier, keys [][]any) error {
	if len(keys) == 0 {
		return nil
	}
	if err := r.checkKeys(keys...); err != nil {
		return fmt.Errorf("resync: %w", err)
	}
	if _, err := q.ExecContext(ctx, "SAVEPOINT hotswap_resync"); err != nil {
		return fmt.Errorf("resync %d keys: savepoint: %w", len(keys), err)
	}
	replace := r.replaceRows
	if len(r.Keep) > 0 {
		replace = r.replaceKeeping
	}
	err := replace(ctx, q, keys)
	if err == nil {
		if _, err := q.ExecContext(ctx, "RELEASE SAVEPOINT hotswap_resync"); err != nil {
			return fmt.Errorf("resync %d keys: release savepoint: %w", len(keys), err)
		}
		return nil
	}
	if _, rerr := q.ExecContext(ctx, "ROLLBACK TO SAVEPOINT hotswap_resync"); rerr != nil {
		return errors.Join(err, fmt.Errorf("roll back to savepoint: %w", rerr))
	}
	var pe *pgconn.PgError
	switch {
	case !errors.As(err, &pe):
		return err
	case pe.Code == "23505":
		return r.duplicate(ctx, q, keys, pe)
	case strings.HasPrefix(pe.Code, "22"): // data exception: a value the shadow's column cannot hold
		return r.badValue(ctx, q, keys, err)
	}
	return err
}

// replaceRows is the delete and the insert.
func (r *Rows) replaceRows(ctx context.Context, q Querier, keys [][]any) error {
	a := &rowsArgs{}
	del := fmt.Sprintf("DELETE FROM %s WHERE %s", r.shadowTable(), r.dstKey().in("", a, keys))
	if _, err := q.ExecContext(ctx, del, a.vals...); err != nil {
		return fmt.Errorf("resync %d keys: delete shadow rows: %w", len(keys), err)
	}
	a = &rowsArgs{}
	ins := fmt.Sprintf("%s SELECT %s FROM %s WHERE %s",
		r.copyInsert(), r.sources(), r.srcTable(), r.srcKey().in("", a, keys))
	if _, err := q.ExecContext(ctx, ins, a.vals...); err != nil {
		return fmt.Errorf("resync %d keys: copy source rows: %w", len(keys), err)
	}
	return nil
}
