package mysql

import (
	"context"
	"fmt"
	"strings"
)

// Presence says whether the source and the shadow each hold a row with key
// (source key values, or the shadow's for a row only in the shadow: the key
// columns correspond by position), as the snapshot sees them. A checksum
// uses it to tell a missing or extra row from one whose values differ.
func (s Snapshot) Presence(ctx context.Context, key []any) (inSource, inShadow bool, err error) {
	r := s.Rows
	if len(key) != len(r.SrcKey.Columns) {
		return false, false, fmt.Errorf("checksum: key %v has %d values, the key (%s) %d columns",
			key, len(key), strings.Join(r.SrcKey.Columns, ", "), len(r.SrcKey.Columns))
	}
	q := fmt.Sprintf("SELECT EXISTS (SELECT 1 FROM %s s WHERE %s), EXISTS (SELECT 1 FROM %s n WHERE %s)",
		r.src(), keyEquals("s", r.SrcKey.Columns), r.shadow(), keyEquals("n", r.DstKey.Columns))
	args := append(append([]any{}, key...), key...)
	if err := s.Conn.QueryRowContext(ctx, q, args...).Scan(&inSource, &inShadow); err != nil {
		return false, false, fmt.Errorf("checksum: look up key %v: %w", key, err)
	}
	return inSource, inShadow, nil
}

// keyEquals is "key = (?, ...)", column by column.
func keyEquals(alias string, cols []string) string {
	eq := make([]string, len(cols))
	for i, c := range cols {
		eq[i] = col(alias, c) + " = ?"
	}
	return strings.Join(eq, " AND ")
}

// IsLockWait says whether err is a lock wait that timed out (or a lock not
// taken with NOWAIT): trying again later may succeed.
func IsLockWait(err error) bool { return isBusy(err) }
