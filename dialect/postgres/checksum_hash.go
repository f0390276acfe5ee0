package postgres

import (
	"context"
	"fmt"
	"strings"
)

// sameHashes compares the range's row count and two aggregates (bit_xor and
// sum) of a 64-bit hash per row on both sides: two range scans instead of a
// key lookup per row on each side. Each row is hashed in its compared form
// (the source cast to the shadow's type where they differ, as the copy's
// insert did, a USING expression computed from the source row and cast,
// then as text), the values joined by a byte that text cannot
// hold unescaped and followed by a NULL bitmap. Equal means equal but for a
// 64-bit collision that also keeps the sum; unequal may be a false alarm
// (a value whose text form differs), which the exact comparison settles.
func (s Snapshot) sameHashes(ctx context.Context, lo, hi []any) (bool, error) {
	r := s.Rows
	var src, dst []string
	for _, p := range r.Pairs {
		// the source is the only table of its side: a USING expression's
		// unqualified names resolve to it
		a, st := r.compareOperand(r.sourceValue("s", p), p)
		b := rowsCol("n", p.Target)
		if dt := r.DstTypes[p.Target]; dt != "" && st != dt {
			a += "::" + dt
		}
		src, dst = append(src, a+"::text"), append(dst, b+"::text")
	}
	a := &rowsArgs{}
	sw, nw := r.srcKey().between("s", a, lo, hi), r.dstKey().between("n", a, lo, hi)
	q := "SELECT " + hashAggregate(r.srcTable(), "s", sw, src) + " IS NOT DISTINCT FROM " + hashAggregate(r.shadowTable(), "n", nw, dst)
	var same bool
	if err := s.Conn.QueryRowContext(ctx, q, a.vals...).Scan(&same); err != nil {
		return false, fmt.Errorf("checksum: hash the rows (%v..%v]: %w", lo, hi, err)
	}
	return same, nil
}

// hashAggregate is a row (count, bit_xor, sum) of the rows' hashes; OFFSET 0
// keeps the subquery from being pulled up, so each hash is computed once.
func hashAggregate(table, alias, where string, parts []string) string {
	nulls := make([]string, len(parts))
	for i, p := range parts {
		nulls[i] = "(" + p + " IS NULL)::int"
	}
	h := "hashtextextended(concat_ws(E'\\x01', " + strings.Join(parts, ", ") + ") || E'\\x02' || concat(" + strings.Join(nulls, ", ") + "), 0)"
	return fmt.Sprintf("(SELECT row(count(*), bit_xor(h), sum(h)) FROM (SELECT %s AS h FROM %s %s WHERE %s OFFSET 0) x)",
		h, table, alias, where)
}
