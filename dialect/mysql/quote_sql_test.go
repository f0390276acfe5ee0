package mysql

import (
	"slices"
	"strings"
	"testing"
)

// TestQuoteSQL: identifiers are wrapped in backticks with inner backticks
// doubled, so no name (spaces, backticks, unicode) can end the identifier.
func TestQuoteSQL(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"plain", "t", "`t`"},
		{"space", "my table", "`my table`"},
		{"backtick", "a`b", "`a``b`"},
		{"only backticks", "``", "``````"},
		{"unicode", "tâble ü", "`tâble ü`"},
		{"empty", "", "``"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := Quote(c.in); got != c.want {
				t.Errorf("Quote(%q) = %s, want %s", c.in, got, c.want)
			}
		})
	}
}

func TestQualifiedAndQuoteListSQL(t *testing.T) {
	if got, want := qualified("my`db", "t 1"), "`my``db`.`t 1`"; got != want {
		t.Errorf("qualified = %s, want %s", got, want)
	}
	if got, want := quoteList([]string{"a", "b`c", "é"}), "`a`, `b``c`, `é`"; got != want {
		t.Errorf("quoteList = %s, want %s", got, want)
	}
	if got, want := col("", "x`y"), "`x``y`"; got != want {
		t.Errorf("col without alias = %s, want %s", got, want)
	}
	if got, want := col("s", "x"), "s.`x`"; got != want {
		t.Errorf("col with alias = %s, want %s", got, want)
	}
}

// TestQuoteStringSQL: a string literal escapes quotes and backslashes, which
// the server would otherwise read as the literal's end or an escape.
func TestQuoteStringSQL(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Europe/Berlin", "'Europe/Berlin'"},
		{"it's", "'it''s'"},
		{`a\b`, `'a\\b'`},
		{`\'`, `'\\'''`},
	} {
		if got := quoteString(c.in); got != c.want {
			t.Errorf("quoteString(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

// TestKeyPredicatesSQL: "key > vals" and "key <= vals" are ORs of prefix
// equalities, one term per key column, and lexArgs binds as many values as
// the predicate has placeholders, in their order.
func TestKeyPredicatesSQL(t *testing.T) {
	for _, c := range []struct {
		name string
		cols []string
		got  func(cols []string) string
		want string
	}{
		{"after single", []string{"id"}, func(c []string) string { return afterKey(c, "") }, "((`id` > ?))"},
		{"after composite aliased", []string{"a", "b"}, func(c []string) string { return afterKey(c, "s") },
			"((s.`a` > ?) OR (s.`a` = ? AND s.`b` > ?))"},
		{"after three columns", []string{"a", "b", "c"}, func(c []string) string { return afterKey(c, "") },
			"((`a` > ?) OR (`a` = ? AND `b` > ?) OR (`a` = ? AND `b` = ? AND `c` > ?))"},
		{"up to single", []string{"id"}, func(c []string) string { return upToKey(c, "") }, "((`id` <= ?))"},
		{"up to composite", []string{"a", "b"}, func(c []string) string { return upToKey(c, "") },
			"((`a` < ?) OR (`a` = ? AND `b` <= ?))"},
		{"hostile column", []string{"i`d x"}, func(c []string) string { return afterKey(c, "n") }, "((n.`i``d x` > ?))"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := c.got(c.cols)
			if got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
			if p, a := strings.Count(got, "?"), len(lexArgs(make([]any, len(c.cols)))); p != a {
				t.Errorf("%d placeholders, lexArgs binds %d values", p, a)
			}
		})
	}
	if got, want := lexArgs([]any{1, "x", 3}), []any{1, 1, "x", 1, "x", 3}; !slices.Equal(got, want) {
		t.Errorf("lexArgs = %v, want %v", got, want)
	}
}

// TestKeyInSQL: one key column is a plain IN list; a composite key is an OR
// of column equalities per key, bound by flatten in key order.
func TestKeyInSQL(t *testing.T) {
	for _, c := range []struct {
		name  string
		cols  []string
		alias string
		n     int
		want  string
	}{
		{"single, one key", []string{"id"}, "", 1, "`id` IN (?)"},
		{"single, three keys", []string{"id"}, "", 3, "`id` IN (?,?,?)"},
		{"composite, one key", []string{"a", "b"}, "n", 1, "((n.`a` = ? AND n.`b` = ?))"},
		{"composite, two keys", []string{"a", "b"}, "", 2, "((`a` = ? AND `b` = ?) OR (`a` = ? AND `b` = ?))"},
		{"hostile column", []string{"k`ü y"}, "s", 2, "s.`k``ü y` IN (?,?)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := keyIn(c.cols, c.alias, c.n); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
	if got, want := flatten([][]any{{1, "x"}, {2, "y"}}), []any{1, "x", 2, "y"}; !slices.Equal(got, want) {
		t.Errorf("flatten = %v, want %v", got, want)
	}
}

// TestKeyRangeSQL: "lo < key <= hi", a nil bound left open; "1=1" keeps the
// predicate valid with both bounds open.
func TestKeyRangeSQL(t *testing.T) {
	for _, c := range []struct {
		name     string
		cols     []string
		alias    string
		lo, hi   []any
		want     string
		wantArgs []any
	}{
		{"both open", []string{"id"}, "", nil, nil, "1=1", nil},
		{"lower bound only", []string{"id"}, "", []any{10}, nil, "1=1 AND ((`id` > ?))", []any{10}},
		{"upper bound only", []string{"id"}, "", nil, []any{20}, "1=1 AND ((`id` <= ?))", []any{20}},
		{"closed single", []string{"id"}, "", []any{10}, []any{20}, "1=1 AND ((`id` > ?)) AND ((`id` <= ?))", []any{10, 20}},
		{"closed composite aliased", []string{"a", "b"}, "s", []any{1, "x"}, []any{2, "y"},
			"1=1 AND ((s.`a` > ?) OR (s.`a` = ? AND s.`b` > ?)) AND ((s.`a` < ?) OR (s.`a` = ? AND s.`b` <= ?))",
			[]any{1, 1, "x", 2, 2, "y"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, args := keyRange(c.cols, c.alias, c.lo, c.hi)
			assertSQL(t, got, args, c.want, c.wantArgs)
		})
	}
}
