package versions

import (
	"slices"
	"strings"
	"testing"

	"github.com/hotswap/hotswap/copier"
)

// TestParseDataChange: an UPDATE or DELETE of one table becomes the
// backfill's statement with the chunk added to its WHERE (or as one), with
// the columns it assigns; what a chunk cannot keep is refused with why.
func TestParseDataChange(t *testing.T) {
	const chunk = copier.ChunkPlaceholder
	for _, c := range []struct {
		name     string
		pg       bool
		in       string
		table    string // schema.table or table
		assigns  []string
		template string
		why      string // a part of the refusal; "" for chunkable
	}{
		{name: "update with where", in: "UPDATE items SET note = 'x' WHERE note IS NULL", table: "items", assigns: []string{"note"},
			template: "UPDATE items SET note = 'x' WHERE (note IS NULL\n) AND " + chunk},
		{name: "update without where", in: "update items set a = b, c = concat(d, 'WHERE')", table: "items", assigns: []string{"a", "c"},
			template: "update items set a = b, c = concat(d, 'WHERE')\nWHERE " + chunk},
		{name: "comments around kept out, inside kept", in: "-- why\nUPDATE items SET a = 1 WHERE b = 2 -- last -- hotswap:allow x",
			table: "items", assigns: []string{"a"}, template: "UPDATE items SET a = 1 WHERE (b = 2\n) AND " + chunk},
		{name: "a comment inside the where", in: "UPDATE items SET a = 1 WHERE b = 2 -- why\n AND c = 3", table: "items", assigns: []string{"a"},
			template: "UPDATE items SET a = 1 WHERE (b = 2 -- why\n AND c = 3\n) AND " + chunk},
		{name: "qualified, alias, qualified column", in: "UPDATE shop.orders o SET o.total = 0 WHERE o.total IS NULL", table: "shop.orders",
			assigns: []string{"total"}, template: "UPDATE shop.orders o SET o.total = 0 WHERE (o.total IS NULL\n) AND " + chunk},
		{name: "mysql modifiers and quoting", in: "UPDATE LOW_PRIORITY IGNORE `My`.`T` SET `Col` = 1 WHERE `col` <> 1", table: "My.T",
			assigns: []string{"Col"}, template: "UPDATE LOW_PRIORITY IGNORE `My`.`T` SET `Col` = 1 WHERE (`col` <> 1\n) AND " + chunk},
		{name: "postgres row assignment", pg: true, in: `UPDATE ONLY "T" SET (a, "B") = (1, 2) WHERE a IS NULL`, table: "T",
			assigns: []string{"a", "B"}, template: `UPDATE ONLY "T" SET (a, "B") = (1, 2) WHERE (a IS NULL` + "\n) AND " + chunk},
		{name: "subquery's where is not the statement's", in: "UPDATE t SET a = (SELECT max(x) FROM u WHERE u.id = t.id)", table: "t",
			assigns: []string{"a"}, template: "UPDATE t SET a = (SELECT max(x) FROM u WHERE u.id = t.id)\nWHERE " + chunk},
		{name: "reads what it writes, guarded", in: "UPDATE t SET n = n + 1, done = 1 WHERE done = 0", table: "t", assigns: []string{"n", "done"},
			template: "UPDATE t SET n = n + 1, done = 1 WHERE (done = 0\n) AND " + chunk},
		{name: "delete", in: "DELETE FROM t WHERE created < '2020-01-01'", table: "t", template: "DELETE FROM t WHERE (created < '2020-01-01'\n) AND " + chunk},
		{name: "delete all", in: "DELETE QUICK FROM s.t", table: "s.t", template: "DELETE QUICK FROM s.t\nWHERE " + chunk},
		{name: "delete with alias", pg: true, in: "DELETE FROM ONLY t AS x WHERE x.a = 1", table: "t", template: "DELETE FROM ONLY t AS x WHERE (x.a = 1\n) AND " + chunk},

		{name: "reads what it writes", in: "UPDATE t SET n = n + 1 WHERE id < 100", table: "t", why: "twice"},
		{name: "reads what it writes, other case", in: "UPDATE t SET N = n * 2", table: "t", why: "twice"},
		{name: "limit", in: "UPDATE t SET a = 1 ORDER BY id LIMIT 10", table: "t", why: "LIMIT"},
		{name: "delete limit", in: "DELETE FROM t WHERE a = 1 LIMIT 1000", table: "t", why: "LIMIT"},
		{name: "join", in: "UPDATE t JOIN u ON u.id = t.id SET t.a = u.a", table: "t", why: "several tables"},
		{name: "list", in: "UPDATE t, u SET t.a = u.a WHERE u.id = t.id", table: "t", why: "several tables"},
		{name: "update from", pg: true, in: "UPDATE t SET a = u.a FROM u WHERE u.id = t.id", table: "t", why: "joins"},
		{name: "returning", pg: true, in: "DELETE FROM t WHERE a = 1 RETURNING id", table: "t", why: "RETURNING"},
		{name: "using", pg: true, in: "DELETE FROM t USING u WHERE u.id = t.id", table: "t", why: "several tables"},
		{name: "multi-table delete", in: "DELETE t FROM t JOIN u ON u.id = t.id", why: "several tables"},
		{name: "with", pg: true, in: "WITH x AS (SELECT 1) UPDATE t SET a = 1", why: "WITH"},
		{name: "placeholder", in: "UPDATE t SET a = '" + chunk + "'", table: "t", why: chunk},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, ok := parseDataChange(scan(c.in, c.pg))
			if !ok {
				t.Fatalf("not read as a data change")
			}
			if got := display(d.schema, d.table); got != c.table && c.table != "" {
				t.Errorf("table %q, want %q", got, c.table)
			}
			if c.why != "" {
				if !strings.Contains(d.unchunkable, c.why) || d.rewrite == "" {
					t.Errorf("refusal %q (rewrite %q), want one saying %q", d.unchunkable, d.rewrite, c.why)
				}
				return
			}
			if d.unchunkable != "" || d.template != c.template || !slices.Equal(d.assigns, c.assigns) {
				t.Errorf("got %q, assigns %q, refused %q\nwant %q, assigns %q", d.template, d.assigns, d.unchunkable, c.template, c.assigns)
			}
		})
	}
	if d, _ := parseDataChange(scan("UPDATE t SET a = 1 WHERE", false)); d.template != "UPDATE t SET a = 1 WHERE (\n) AND "+chunk {
		t.Errorf("an empty WHERE: %q", d.template) // the server refuses it
	}
	for _, in := range []string{"INSERT INTO t VALUES (1)", "SELECT 1", "ALTER TABLE t ADD c INT", "CREATE TABLE update (a INT)"} {
		if _, ok := parseDataChange(scan(in, false)); ok {
			t.Errorf("%q read as a data change", in)
		}
	}
}

// TestLintUnchunkableChange: an UPDATE or DELETE of a big table that cannot
// run in chunks is refused with why and how to rewrite it, unless waived;
// one of a table not there (yet) is not.
func TestLintUnchunkableChange(t *testing.T) {
	runLintCases(t, []lintCase{
		{name: "not idempotent", file: "UPDATE items SET v = v + 1;", want: []string{"unchunkable-change@1"}},
		{name: "limit", my: true, file: "\nDELETE FROM items ORDER BY id LIMIT 10;", want: []string{"unchunkable-change@2"}},
		{name: "join", pg: true, file: "UPDATE items SET v = o.v FROM shop.orders o WHERE o.id = items.id;", want: []string{"unchunkable-change@1"}},
		{name: "waived", file: "UPDATE items SET v = v + 1; -- hotswap:allow unchunkable-change", want: []string{"unchunkable-change@1(waived)"}},
		{name: "chunkable", file: "UPDATE items SET note = 'x' WHERE note IS NULL;\nDELETE FROM items WHERE v < 0;", want: nil},
		{name: "table not there", file: "UPDATE newt SET v = v + 1;", want: nil},
	})
}

// FuzzParseDataChange: any statement is read without a panic, and a
// chunkable one's template holds the chunk exactly once.
func FuzzParseDataChange(f *testing.F) {
	for _, s := range []string{"UPDATE t SET a = 1 WHERE b", "DELETE FROM t", "UPDATE `a`.b x SET c=(SELECT 1) -- x", "DELETE FROM ONLY \"t\" WHERE $$x$$ = 'y'", "UPDATE"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, in string, pg bool) {
		d, ok := parseDataChange(scan(in, pg))
		if ok && d.unchunkable == "" && d.template != "" && strings.Count(d.template, copier.ChunkPlaceholder) != 1 {
			t.Errorf("%q: template %q", in, d.template)
		}
	})
}
