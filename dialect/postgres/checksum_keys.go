package postgres

import (
	"context"
	"fmt"
)

// DiffKeys returns up to limit of keys whose rows differ: missing from the
// shadow, extra in it, or with a compared value that differs (as Diff
// compares them). Each side is one statement of index lookups.
func (s Snapshot) DiffKeys(ctx context.Context, keys [][]any, limit int) ([][]any, error) {
	if len(keys) == 0 || limit <= 0 {
		return nil, nil
	}
	in := func(alias string) rowsWhere {
		return func(k rowsKey, a *rowsArgs) string { return k.in(alias, a, keys) }
	}
	diffs, err := s.sourceRows(ctx, in("s"), limit)
	if err != nil {
		return nil, fmt.Errorf("checksum: compare %d source rows by key: %w", len(keys), err)
	}
	if len(diffs) >= limit {
		return diffs, nil
	}
	extra, err := s.shadowRows(ctx, in("n"), limit-len(diffs))
	if err != nil {
		return nil, fmt.Errorf("checksum: look for %d keys' extra shadow rows: %w", len(keys), err)
	}
	return append(diffs, extra...), nil
}
