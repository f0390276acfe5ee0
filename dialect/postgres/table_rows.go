package postgres

import (
	"context"
	"fmt"
	"math"

	"github.com/jackc/pgx/v5"
)

// estimateCountPages: below this many pages (8 MB at the default block
// size) a table never analyzed is counted, which is quick; above it the
// estimate is 0 (unknown) rather than a long scan.
const estimateCountPages = 1000

// EstimateRows is the planner's row estimate of schema.table: cheap, not
// exact. Like the planner, it scales pg_class.reltuples (as of the last
// VACUUM or ANALYZE) by the table's current size in pages. A table never
// analyzed (reltuples -1) is counted when small, else estimated as 0; so is
// a relation without storage of its own (partitioned table, view, foreign
// table), where a count could take long.
func EstimateRows(ctx context.Context, db Querier, schema, table string) (int64, error) {
	var tuples float64
	var relPages, pages int64
	var kind string
	err := db.QueryRowContext(ctx, `SELECT c.reltuples::float8, c.relpages::bigint,
		pg_relation_size(c.oid) / current_setting('block_size')::bigint, c.relkind::text
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relname = $2`, schema, table).Scan(&tuples, &relPages, &pages, &kind)
	if err != nil {
		return 0, fmt.Errorf("estimate rows of %s.%s: %w", schema, table, err)
	}
	switch {
	case tuples >= 0 && relPages > 0:
		return int64(math.Round(tuples / float64(relPages) * float64(pages))), nil
	case tuples > 0: // no pages recorded: the count itself
		return int64(tuples), nil
	case pages < estimateCountPages && kind == "r": // not a view, foreign or partitioned table: no pages of its own to judge by
		return countRows(ctx, db, schema, table)
	}
	return 0, nil
}

func countRows(ctx context.Context, db Querier, schema, table string) (int64, error) {
	var n int64
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM "+pgx.Identifier{schema, table}.Sanitize()).Scan(&n); err != nil {
		return 0, fmt.Errorf("count rows of %s.%s: %w", schema, table, err)
	}
	return n, nil
}

// TotalSize is a table's size on disk with its indexes and TOAST.
func TotalSize(ctx context.Context, db Querier, schema, table string) (int64, error) {
	var n int64
	if err := db.QueryRowContext(ctx, "SELECT pg_total_relation_size($1::regclass)", QualifiedName(schema, table)).Scan(&n); err != nil {
		return 0, fmt.Errorf("size of %s.%s: %w", schema, table, err)
	}
	return n, nil
}
