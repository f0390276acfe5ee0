package mysql

import "context"

// DiffKeys returns up to limit of keys whose rows differ: missing from the
// shadow, extra in it, or with a compared value that differs (as Diff
// compares them). Each side is one statement of index lookups.
func (s Snapshot) DiffKeys(ctx context.Context, keys [][]any, limit int) ([][]any, error) {
	if len(keys) == 0 || limit <= 0 {
		return nil, nil
	}
	r := s.Rows
	args := flatten(keys)
	missing, err := s.sourceSide(ctx, keyIn(r.SrcKey.Columns, "s", len(keys)), args, limit)
	if err != nil || len(missing) >= limit {
		return missing, err
	}
	extra, err := s.shadowSide(ctx, keyIn(r.DstKey.Columns, "n", len(keys)), args, limit-len(missing))
	if err != nil {
		return nil, err
	}
	return append(missing, extra...), nil
}
