package mysql

import (
	"slices"
	"testing"

	"github.com/hotswap/hotswap/schema"
)

// assertSQL fails t unless the statement and its arguments are exactly the
// wanted ones (a nil and an empty argument list are the same).
func assertSQL(t *testing.T, query string, args []any, want string, wantArgs []any) {
	t.Helper()
	if query != want {
		t.Errorf("SQL\ngot  %s\nwant %s", query, want)
	}
	if !slices.Equal(args, wantArgs) {
		t.Errorf("args: got %#v, want %#v", args, wantArgs)
	}
	if n := countPlaceholders(query); n != len(args) {
		t.Errorf("%d placeholders, %d args", n, len(args))
	}
}

// countPlaceholders counts the ? outside quoted identifiers and literals.
func countPlaceholders(query string) int {
	n, quote := 0, rune(0)
	for _, c := range query {
		switch {
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
		case c == '`' || c == '\'':
			quote = c
		case c == '?':
			n++
		}
	}
	return n
}

// singleKeyRows copies `db`.`t` (id, v) into `db`.`_t_new`, keyed on the
// primary key id: the common case.
func singleKeyRows() *Rows {
	pk := schema.Index{Name: "PRIMARY", Columns: []string{"id"}, Primary: true}
	return &Rows{Database: "db", Source: "t", Shadow: "_t_new",
		Pairs:  []schema.ColumnPair{{Source: "id", Target: "id"}, {Source: "v", Target: "v"}},
		SrcKey: pk, DstKey: pk, ShareLock: "LOCK IN SHARE MODE"}
}

// compositeKeyRows is keyed on the unique key uk_ab (a, b); the ALTER renames
// b to bb, so the shadow's key columns differ from the source's.
func compositeKeyRows() *Rows {
	return &Rows{Database: "db", Source: "t", Shadow: "_t_new",
		Pairs:  []schema.ColumnPair{{Source: "a", Target: "a"}, {Source: "b", Target: "bb"}, {Source: "v", Target: "v"}},
		SrcKey: schema.Index{Name: "uk_ab", Columns: []string{"a", "b"}},
		DstKey: schema.Index{Name: "uk_ab", Columns: []string{"a", "bb"}}, ShareLock: "FOR SHARE NOWAIT"}
}

// hostileRows has a backtick, a space or unicode in every name.
func hostileRows() *Rows {
	pk := schema.Index{Name: "pk`x", Columns: []string{"id`"}, Primary: true}
	return &Rows{Database: "my db", Source: "t`1", Shadow: "_t`1_new",
		Pairs:  []schema.ColumnPair{{Source: "id`", Target: "id`"}, {Source: "välue col", Target: "välue col"}},
		SrcKey: pk, DstKey: pk, ShareLock: "LOCK IN SHARE MODE"}
}

// TestNextBoundarySQL: the boundary query reads the key alone on the key's
// index, starting after the previous boundary (from the start when nil), and
// skips size-1 rows.
func TestNextBoundarySQL(t *testing.T) {
	for _, c := range []struct {
		name     string
		rows     *Rows
		after    []any
		size     int
		want     string
		wantArgs []any
	}{
		{"first chunk", singleKeyRows(), nil, 1000,
			"SELECT `id` FROM `db`.`t` FORCE INDEX (`PRIMARY`) ORDER BY `id` LIMIT 1 OFFSET 999", nil},
		{"after a boundary", singleKeyRows(), []any{int64(5)}, 1000,
			"SELECT `id` FROM `db`.`t` FORCE INDEX (`PRIMARY`) WHERE ((`id` > ?)) ORDER BY `id` LIMIT 1 OFFSET 999",
			[]any{int64(5)}},
		{"composite key, size 1", compositeKeyRows(), []any{1, "x"}, 1,
			"SELECT `a`, `b` FROM `db`.`t` FORCE INDEX (`uk_ab`) WHERE ((`a` > ?) OR (`a` = ? AND `b` > ?)) ORDER BY `a`, `b` LIMIT 1 OFFSET 0",
			[]any{1, 1, "x"}},
		{"hostile names", hostileRows(), nil, 2,
			"SELECT `id``` FROM `my db`.`t``1` FORCE INDEX (`pk``x`) ORDER BY `id``` LIMIT 1 OFFSET 1", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			query, args := c.rows.nextBoundarySQL(c.after, c.size)
			assertSQL(t, query, args, c.want, c.wantArgs)
		})
	}
}
