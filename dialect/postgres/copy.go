package postgres

import (
	"context"
	"database/sql"
	"fmt"
)

// CopyRange copies the source rows with lo < key <= hi (nil bounds are open)
// into the shadow with INSERT ... SELECT ... ON CONFLICT DO NOTHING, in one
// short READ COMMITTED transaction. It takes no row locks: a row changed
// while the chunk runs is fixed by the applier's resync, which waits for the
// chunk first (see internal/inflight:
// PostgreSQL's DELETE also skips rows inserted by a transaction in progress,
// without waiting for it).
//
// A skipped row either has its key in the shadow already (the applier wrote
// it: nothing to do) or clashes on another unique index with a stale shadow
// row. Only in the second case, possible only when the shadow has unique
// indexes besides the row key's, the keys of the range that have no shadow
// row are returned, for the applier to resync (it resolves a stale row and
// fails on a real duplicate).
func (r *Rows) CopyRange(ctx context.Context, lo, hi []any) (copied int64, missing [][]any, err error) {
	if err := r.checkKeys(lo, hi); err != nil {
		return 0, nil, fmt.Errorf("copy chunk: %w", err)
	}
	done := r.copies.Start()
	defer done()
	others, err := r.otherUniques(ctx)
	if err != nil {
		return 0, nil, fmt.Errorf("copy chunk: %w", err)
	}
	tx, err := r.DB.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
	if err != nil {
		return 0, nil, fmt.Errorf("begin chunk: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	if len(others) == 0 {
		copied, err = r.insertRange(ctx, tx, lo, hi)
	} else {
		copied, missing, err = r.insertRangeCounted(ctx, tx, lo, hi)
	}
	if err != nil {
		return 0, nil, retryable(err)
	}
	if err := tx.Commit(); err != nil {
		return 0, nil, retryable(fmt.Errorf("commit chunk (%v..%v]: %w", lo, hi, err))
	}
	return copied, missing, nil
}

// copySelect is the chunk's SELECT of the source rows.
func (r *Rows) copySelect(a *rowsArgs, lo, hi []any) string {
	return fmt.Sprintf("SELECT %s FROM %s WHERE %s", r.sources(), r.srcTable(), r.srcKey().between("", a, lo, hi))
}

// copyInsert is the INSERT head. OVERRIDING SYSTEM VALUE lets the source's
// values into a GENERATED ALWAYS identity column; it changes nothing else.
func (r *Rows) copyInsert() string {
	return fmt.Sprintf("INSERT INTO %s (%s) OVERRIDING SYSTEM VALUE", r.shadowTable(), r.targets())
}

func (r *Rows) insertRange(ctx context.Context, tx *sql.Tx, lo, hi []any) (int64, error) {
	a := &rowsArgs{}
	q := r.copyInsert() + " " + r.copySelect(a, lo, hi) + " ON CONFLICT DO NOTHING"
	res, err := tx.ExecContext(ctx, q, a.vals...)
	if err != nil {
		return 0, fmt.Errorf("copy rows (%v..%v] of %s: %w", lo, hi, r.Source, err)
	}
	return res.RowsAffected()
}

// insertRangeCounted copies like insertRange and also counts the rows read in
// the same statement (one snapshot), to tell whether any row was skipped.
func (r *Rows) insertRangeCounted(ctx context.Context, tx *sql.Tx, lo, hi []any) (int64, [][]any, error) {
	a := &rowsArgs{}
	q := fmt.Sprintf(`WITH chunk AS (%s),
		ins AS (%s SELECT * FROM chunk ON CONFLICT DO NOTHING RETURNING 1)
		SELECT (SELECT count(*) FROM chunk), (SELECT count(*) FROM ins)`,
		r.copySelect(a, lo, hi), r.copyInsert())
	var read, copied int64
	if err := tx.QueryRowContext(ctx, q, a.vals...).Scan(&read, &copied); err != nil {
		return 0, nil, fmt.Errorf("copy rows (%v..%v] of %s: %w", lo, hi, r.Source, err)
	}
	if copied == read {
		return copied, nil, nil
	}
	missing, err := r.missingKeys(ctx, tx, lo, hi)
	if err != nil {
		return 0, nil, err
	}
	return copied, missing, nil
}

// missingKeys lists the source keys in the range that have no shadow row. It
// runs in a newer snapshot than the copy: a row inserted since is listed too,
// which costs one needless resync.
func (r *Rows) missingKeys(ctx context.Context, tx *sql.Tx, lo, hi []any) ([][]any, error) {
	sk, dk, a := r.srcKey(), r.dstKey(), &rowsArgs{}
	q := fmt.Sprintf("SELECT %s FROM %s s %s WHERE %s AND n.hit IS NULL",
		sk.selectList("s"), r.srcTable(), rowsProbe(r.shadowTable(), "n", "1 AS hit", dk.join("n", sk, "s")),
		sk.between("s", a, lo, hi))
	keys, err := rowsScanKeys(ctx, tx, len(sk.cols), q, a.vals...)
	if err != nil {
		return nil, fmt.Errorf("list rows of (%v..%v] the copy skipped: %w", lo, hi, err)
	}
	return keys, nil
}
