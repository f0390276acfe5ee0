package throttle

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
)

// scalarQuery runs a query given by the operator (--throttle-query) and
// returns its first column of the first row as a number. No row or NULL is 0.
func scalarQuery(ctx context.Context, q *sql.DB, query string) (float64, error) {
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return 0, fmt.Errorf("run %q: %w", query, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, fmt.Errorf("run %q: %w", query, err)
	}
	if len(cols) == 0 {
		return 0, fmt.Errorf("run %q: it returns no columns", query)
	}
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return 0, fmt.Errorf("run %q: %w", query, err)
		}
		return 0, nil
	}
	var first sql.NullString
	dest := make([]any, len(cols))
	dest[0] = &first
	for i := 1; i < len(dest); i++ {
		dest[i] = new(sql.RawBytes)
	}
	if err := rows.Scan(dest...); err != nil {
		return 0, fmt.Errorf("scan result of %q: %w", query, err)
	}
	if err := rows.Close(); err != nil {
		return 0, fmt.Errorf("run %q: %w", query, err)
	}
	if !first.Valid {
		return 0, nil
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(first.String), 64)
	if err != nil {
		return 0, fmt.Errorf("%q returned %q, not a number", query, first.String)
	}
	return v, nil
}
