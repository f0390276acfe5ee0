package mysql

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hotswap/hotswap/schema"
)

// DuplicateError is a resync that hit a unique key. Conflicts are shadow rows
// (outside the batch) holding the values the batch needs: stale rows that
// must be resynced in the same batch. With no conflicts the source itself
// holds the duplicate and the run must fail.
type DuplicateError struct {
	Conflicts [][]any
	Err       error
}

func (e *DuplicateError) Error() string {
	if len(e.Conflicts) == 0 {
		return fmt.Sprintf("the source holds values that the new unique key rejects (%v): remove the duplicates or drop the unique key from the ALTER", e.Err)
	}
	return fmt.Sprintf("resync met %d stale shadow rows: %v", len(e.Conflicts), e.Err)
}

func (e *DuplicateError) Unwrap() error { return e.Err }

// ConflictingKeys are the stale shadow rows to add to the batch.
func (e *DuplicateError) ConflictingKeys() [][]any { return e.Conflicts }

// ResyncReady returns once keys may be resynced while the copy runs: it
// makes sure the changes the stream reported for them are visible (a binlog
// event can come before its transaction commits in the engine), then waits
// for the copy chunks running at that moment, since a chunk whose snapshot
// still holds a row deleted since must not insert it after the resync (see
// internal/inflight). Call it before ResyncTx (applier.Options.Ready).
func (r *Rows) ResyncReady(ctx context.Context, keys [][]any) error {
	if len(keys) == 0 {
		return nil
	}
	if err := r.awaitCommitted(ctx, keys); err != nil {
		return err
	}
	if err := r.chunks.WaitOlder(ctx); err != nil {
		return fmt.Errorf("resync: wait for copy chunks in flight: %w", err)
	}
	return nil
}

// ResyncTx resyncs keys in a transaction of its own, with locking reads.
// While the copy runs, call ResyncReady first. It stays REPEATABLE READ:
// its DELETE then locks the gaps of the keys it finds missing, so a copy
// chunk cannot insert one of them before the resync's own INSERT (tried
// with READ COMMITTED, chunks and resyncs collided on nearly every batch
// during the copy and could stall it), and a duplicate on the row key
// cannot happen here.
func (r *Rows) ResyncTx(ctx context.Context, keys [][]any) error {
	return r.resyncTx(ctx, keys, true)
}

// awaitCommitted reads the source rows of keys with a locking read in a
// transaction of its own: it returns once no transaction holds them, so
// every change to them so far is committed and visible to a new snapshot
// (ErrBusy where the server does not wait).
func (r *Rows) awaitCommitted(ctx context.Context, keys [][]any) error {
	tx, err := r.DB.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin resync: %w", err)
	}
	defer tx.Rollback()
	q, args := r.awaitCommittedSQL(keys)
	rows, err := tx.QueryContext(ctx, q, args...)
	if err == nil {
		for rows.Next() {
		}
		err = errors.Join(rows.Err(), rows.Close())
	}
	switch {
	case isBusy(err):
		return ErrBusy
	case err != nil:
		return fmt.Errorf("resync %d keys: wait for their changes to commit: %w", len(keys), err)
	}
	return tx.Commit()
}

// awaitCommittedSQL is awaitCommitted's locking read of the source rows of keys.
func (r *Rows) awaitCommittedSQL(keys [][]any) (string, []any) {
	return fmt.Sprintf("SELECT 1 FROM %s WHERE %s %s", r.src(), keyIn(r.SrcKey.Columns, "", len(keys)), r.ShareLock), flatten(keys)
}

// ResyncWritesBlocked resyncs keys while the cut-over blocks every writer
// of the table: all committed, so a plain read sees the last change, and a
// locking read would wait on the cut-over's own table lock.
func (r *Rows) ResyncWritesBlocked(ctx context.Context, keys [][]any) error {
	return r.resyncTx(ctx, keys, false)
}

func (r *Rows) resyncTx(ctx context.Context, keys [][]any, locking bool) error {
	tx, err := r.DB.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin resync: %w", err)
	}
	defer tx.Rollback()
	if err := r.Resync(ctx, tx, keys, locking); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit resync of %d keys: %w", len(keys), err)
	}
	return nil
}

// Resync makes the shadow rows of keys equal to the source rows: delete them,
// then insert what the source holds now. With locking, the source is read with
// a share lock so a transaction seen in the binlog but not yet committed in
// the engine is waited for (or, with NOWAIT, reported as ErrBusy); without, the
// caller holds the table locked. q is a transaction, or the cut-over
// connection holding LOCK TABLES (where a transaction would release the locks).
func (r *Rows) Resync(ctx context.Context, q Querier, keys [][]any, locking bool) error {
	if len(keys) == 0 {
		return nil
	}
	var saved [][]any
	if len(r.Keep) > 0 {
		var err error
		if saved, err = r.saveKept(ctx, q, keys); err != nil {
			if isBusy(err) {
				return ErrBusy
			}
			return err
		}
	}
	del, delArgs := r.resyncDeleteSQL(keys)
	if _, err := q.ExecContext(ctx, del, delArgs...); err != nil {
		if isBusy(err) {
			return ErrBusy
		}
		return fmt.Errorf("resync %d keys: delete shadow rows: %w", len(keys), err)
	}
	ins, insArgs := r.resyncInsertSQL(keys, locking)
	_, err := q.ExecContext(ctx, ins, insArgs...)
	switch {
	case err == nil:
		return r.restoreKept(ctx, q, saved)
	case isBusy(err):
		return ErrBusy
	case isDuplicate(err):
		conflicts, cerr := r.conflicts(ctx, q, keys)
		if cerr != nil {
			return errors.Join(err, cerr)
		}
		return &DuplicateError{Conflicts: conflicts, Err: err}
	}
	return fmt.Errorf("resync %d keys: copy source rows: %w", len(keys), err)
}

// resyncDeleteSQL deletes the shadow rows of keys.
func (r *Rows) resyncDeleteSQL(keys [][]any) (string, []any) {
	return fmt.Sprintf("DELETE FROM %s WHERE %s", r.shadow(), keyIn(r.DstKey.Columns, "", len(keys))), flatten(keys)
}

// resyncInsertSQL copies the source rows of keys into the shadow; locking
// adds the share lock that waits for (or, NOWAIT, refuses) uncommitted writers.
func (r *Rows) resyncInsertSQL(keys [][]any, locking bool) (string, []any) {
	lock := ""
	if locking {
		lock = " " + r.ShareLock
	}
	ins := fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM %s WHERE %s%s",
		r.shadow(), r.targets(), r.sources(""), r.src(), keyIn(r.SrcKey.Columns, "", len(keys)), lock)
	return ins, flatten(keys)
}

// conflicts finds shadow rows that hold, on some unique index other than the
// row key, the values the source rows of keys are about to take.
func (r *Rows) conflicts(ctx context.Context, q Querier, keys [][]any) ([][]any, error) {
	var out [][]any
	for _, ix := range r.DstTable.Uniques {
		q1, args, ok := r.staleHoldersSQL(ix, keys)
		if !ok {
			continue
		}
		found, err := scanKeys(ctx, q, len(r.DstKey.Columns), q1, args...)
		if err != nil {
			return nil, fmt.Errorf("find stale shadow rows on %s: %w", ix.Name, err)
		}
		out = append(out, found...)
	}
	return out, nil
}

// staleHoldersSQL finds the shadow rows outside keys that hold, on the
// shadow's unique index ix, the values the source rows of keys carry. ok is
// false for the row key itself and for an index with a column not fed from
// the source, which cannot be matched.
func (r *Rows) staleHoldersSQL(ix schema.Index, keys [][]any) (query string, args []any, ok bool) {
	if strings.EqualFold(ix.Name, r.DstKey.Name) {
		return "", nil, false
	}
	toSource := map[string]string{}
	for _, p := range r.Pairs {
		toSource[strings.ToLower(p.Target)] = p.Source
	}
	var on []string
	for _, c := range ix.Columns {
		s, fed := toSource[strings.ToLower(c)]
		if !fed {
			return "", nil, false
		}
		on = append(on, col("n", c)+" = "+col("s", s))
	}
	if on == nil {
		return "", nil, false
	}
	query = fmt.Sprintf("SELECT %s FROM %s n JOIN %s s ON %s WHERE %s AND NOT %s",
		r.prefixed("n", r.DstKey.Columns), r.shadow(), r.src(), strings.Join(on, " AND "),
		keyIn(r.SrcKey.Columns, "s", len(keys)), keyIn(r.DstKey.Columns, "n", len(keys)))
	return query, append(flatten(keys), flatten(keys)...), true
}
