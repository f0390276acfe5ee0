package postgres

import (
	"context"
	"fmt"
)

// Presence says whether the source and the shadow each hold a row with key
// (source key values, or the shadow's for a row only in the shadow: the key
// columns correspond by position), as the snapshot sees them. A checksum
// uses it to tell a missing or extra row from one whose values differ.
func (s Snapshot) Presence(ctx context.Context, key []any) (inSource, inShadow bool, err error) {
	r := s.Rows
	sk, dk, a := r.srcKey(), r.dstKey(), &rowsArgs{}
	if len(key) != len(sk.cols) {
		return false, false, fmt.Errorf("checksum: key %v has %d values, the key %d columns", key, len(key), len(sk.cols))
	}
	q := fmt.Sprintf("SELECT EXISTS (SELECT 1 FROM %s s WHERE %s = %s), EXISTS (SELECT 1 FROM %s n WHERE %s = %s)",
		r.srcTable(), sk.tuple("s"), sk.params(a, key), r.shadowTable(), dk.tuple("n"), dk.params(a, key))
	if err := s.Conn.QueryRowContext(ctx, q, a.vals...).Scan(&inSource, &inShadow); err != nil {
		return false, false, fmt.Errorf("checksum: look up key %v: %w", key, err)
	}
	return inSource, inShadow, nil
}
