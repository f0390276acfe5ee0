package mysql

import (
	"context"
	"fmt"
	"strings"
)

// A revert window resyncs the table's rows back into the old table, whose
// columns the ALTER dropped are fed by no column of the table (Rows.Keep).
// The resync deletes and re-inserts rows (so that unique values moving
// between rows of one batch never clash), so those columns are read before
// the delete and written back after the insert: an old row keeps them, a
// row inserted since gets the column's default. The values travel as the
// driver's typed values (prepared statements use the binary protocol), so
// a FLOAT or a DATETIME(6) comes back bit for bit.

// saveKept reads, with a locking read, the kept columns of the shadow rows
// of keys: each result is the key's values, then the kept values.
func (r *Rows) saveKept(ctx context.Context, q Querier, keys [][]any) ([][]any, error) {
	query, args := r.saveKeptSQL(keys)
	saved, err := scanKeys(ctx, q, len(r.DstKey.Columns)+len(r.Keep), query, args...)
	if err != nil {
		return nil, fmt.Errorf("resync %d keys: the columns the ALTER dropped: %w", len(keys), err)
	}
	return saved, nil
}

func (r *Rows) saveKeptSQL(keys [][]any) (string, []any) {
	cols := append(append([]string{}, r.DstKey.Columns...), r.Keep...)
	return fmt.Sprintf("SELECT %s FROM %s WHERE %s FOR UPDATE", quoteList(cols), r.shadow(),
		keyIn(r.DstKey.Columns, "", len(keys))), flatten(keys)
}

// restoreKept writes the saved kept values back into the rows that are
// there again after the insert (a row deleted from the table stays gone).
func (r *Rows) restoreKept(ctx context.Context, q Querier, saved [][]any) error {
	if len(saved) == 0 {
		return nil
	}
	query := r.restoreKeptSQL()
	n := len(r.DstKey.Columns)
	for _, row := range saved {
		args := append(append([]any{}, row[n:]...), row[:n]...)
		if _, err := q.ExecContext(ctx, query, args...); err != nil {
			return fmt.Errorf("resync: write back the columns the ALTER dropped (%s) of the row with key %v: %w",
				strings.Join(r.Keep, ", "), row[:n], err)
		}
	}
	return nil
}

func (r *Rows) restoreKeptSQL() string {
	set := make([]string, len(r.Keep))
	for i, c := range r.Keep {
		set[i] = Quote(c) + " = ?"
	}
	where := make([]string, len(r.DstKey.Columns))
	for i, c := range r.DstKey.Columns {
		where[i] = Quote(c) + " = ?"
	}
	return fmt.Sprintf("UPDATE %s SET %s WHERE %s", r.shadow(), strings.Join(set, ", "), strings.Join(where, " AND "))
}
