package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// CopyRange copies the source rows with lo < key <= hi into the shadow with
// INSERT IGNORE, in one short READ COMMITTED transaction: the source is read
// in a snapshot, without locking its rows, so writers never wait for the copy
// and the copy never waits for them. The chunk is registered as in flight
// while it runs, so that a resync waits for it (see internal/inflight and
// ResyncReady): that keeps a row deleted after the chunk's snapshot from coming
// back. Every warning is checked: a duplicate on the row key means the applier
// already wrote the row; a duplicate on another unique key may be a stale
// shadow row, so the keys the chunk could not insert are returned for the
// applier to resync (it fails on a real duplicate); any other warning (a value
// changed to fit) fails the copy.
func (r *Rows) CopyRange(ctx context.Context, lo, hi []any) (copied int64, missing [][]any, err error) {
	q, args := r.copyRangeSQL(lo, hi)
	done := r.chunks.Start() // before the snapshot
	defer done()
	tx, err := r.DB.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
	if err != nil {
		return 0, nil, fmt.Errorf("begin chunk: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, q, args...)
	if err != nil {
		if isBusy(err) {
			return 0, nil, ErrBusy
		}
		return 0, nil, fmt.Errorf("copy rows: %w", err)
	}
	copied, _ = res.RowsAffected()
	otherDup, err := r.checkWarnings(ctx, tx)
	if err != nil {
		return 0, nil, err
	}
	if otherDup {
		if missing, err = r.missingKeys(ctx, tx, lo, hi); err != nil {
			return 0, nil, err
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, nil, fmt.Errorf("commit chunk: %w", err)
	}
	return copied, missing, nil
}

// copyRangeSQL is the statement CopyRange runs: INSERT IGNORE of the source
// rows with lo < key <= hi, read on the key's index.
func (r *Rows) copyRangeSQL(lo, hi []any) (string, []any) {
	where, args := r.rangeWhere("", lo, hi)
	q := fmt.Sprintf("INSERT IGNORE INTO %s (%s) SELECT %s FROM %s FORCE INDEX (%s) WHERE %s",
		r.shadow(), r.targets(), r.sources(""), r.src(), Quote(r.SrcKey.Name), where)
	return q, args
}

func (r *Rows) checkWarnings(ctx context.Context, tx *sql.Tx) (otherDup bool, err error) {
	rows, err := tx.QueryContext(ctx, "SHOW WARNINGS")
	if err != nil {
		return false, fmt.Errorf("read chunk warnings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var level, msg string
		var code int
		if err := rows.Scan(&level, &code, &msg); err != nil {
			return false, fmt.Errorf("read chunk warnings: %w", err)
		}
		if code != 1062 {
			return false, fmt.Errorf("copying would change data (server warning %d: %s); fix the ALTER so every value fits the new column types", code, msg)
		}
		if !r.onKeyIndex(msg) {
			otherDup = true
		}
	}
	return otherDup, rows.Err()
}

// onKeyIndex tells whether a duplicate-entry message names the row key's
// index ("for key 'PRIMARY'" or MySQL 8's "for key 'table.PRIMARY'").
func (r *Rows) onKeyIndex(msg string) bool {
	i := strings.LastIndex(msg, " for key '")
	if i < 0 {
		return false
	}
	name := strings.TrimSuffix(msg[i+len(" for key '"):], "'")
	if j := strings.LastIndex(name, "."); j >= 0 {
		name = name[j+1:]
	}
	return strings.EqualFold(name, r.DstKey.Name)
}

// missingKeys lists the source keys in the range that have no shadow row.
func (r *Rows) missingKeys(ctx context.Context, tx *sql.Tx, lo, hi []any) ([][]any, error) {
	q, args := r.missingKeysSQL(lo, hi)
	return scanKeys(ctx, tx, len(r.SrcKey.Columns), q, args...)
}

// missingKeysSQL is the anti-join missingKeys runs: source keys in the range
// with no shadow row of the same key.
func (r *Rows) missingKeysSQL(lo, hi []any) (string, []any) {
	where, args := r.rangeWhere("s", lo, hi)
	var join []string
	for i, c := range r.SrcKey.Columns {
		join = append(join, col("s", c)+" = "+col("n", r.DstKey.Columns[i]))
	}
	q := fmt.Sprintf("SELECT %s FROM %s s LEFT JOIN %s n ON %s WHERE %s AND %s IS NULL",
		r.prefixed("s", r.SrcKey.Columns), r.src(), r.shadow(), strings.Join(join, " AND "), where, col("n", r.DstKey.Columns[0]))
	return q, args
}

func (r *Rows) prefixed(alias string, cols []string) string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = col(alias, c)
	}
	return strings.Join(out, ", ")
}

func scanKeys(ctx context.Context, q Querier, width int, query string, args ...any) ([][]any, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("read keys: %w", err)
	}
	defer rows.Close()
	var out [][]any
	for rows.Next() {
		vals := make([]any, width)
		ptrs := make([]any, width)
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("read keys: %w", err)
		}
		out = append(out, vals)
	}
	return out, rows.Err()
}
