package postgres

import (
	"context"
	"fmt"
	"strings"
)

// addedIndexRenames renames the indexes the ALTER added (no counterpart on
// the table), whose names PostgreSQL derived from the shadow's ("_t_new_v_key"
// for ADD UNIQUE (v)), to what the same ALTER on the table would have named
// them ("t_v_key"). Renaming an index renames the constraint it backs. A name
// taken by any relation but the table's own indexes (renamed away first) is
// left alone: the index keeps its shadow-derived name.
func addedIndexRenames(ctx context.Context, db Querier, schema, table, shadow string, shad uint32,
	origIndexes []string, pairs []indexPair) ([]string, error) {
	names, err := catalogStrings(ctx, db, `SELECT c.relname::text FROM pg_index i
		JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = $1 ORDER BY 1`, shad)
	if err != nil {
		return nil, fmt.Errorf("read the shadow's indexes: %w", err)
	}
	taken := map[string]bool{}
	for _, p := range pairs {
		taken[p.shadow], taken[p.orig] = true, true
	}
	freed := map[string]bool{}
	for _, n := range origIndexes {
		freed[n] = true
	}
	var stmts []string
	prefix := shadow + "_"
	for _, name := range names {
		if taken[name] || !strings.HasPrefix(name, prefix) {
			continue
		}
		to := table + "_" + strings.TrimPrefix(name, prefix)
		if len(to) > pgMaxNameBytes || taken[to] {
			continue
		}
		var exists bool
		err := db.QueryRowContext(ctx, `SELECT EXISTS (SELECT FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE n.nspname = $1 AND c.relname = $2)`, schema, to).Scan(&exists)
		if err != nil {
			return nil, fmt.Errorf("check the name %s: %w", to, err)
		}
		if exists && !freed[to] {
			continue
		}
		taken[to] = true
		stmts = append(stmts, swapRenameSQL("INDEX", schema, name, to))
	}
	return stmts, nil
}
