package postgres

import (
	"strings"
	"testing"
)

// TestParseAlterTable: ALTER TABLE statements give the schema and table as
// the server resolves them and the clauses --alter takes; anything else, and
// an ALTER TABLE whose name is missing or whose clauses are, is not one.
func TestParseAlterTable(t *testing.T) {
	long := strings.Repeat("a", 70)
	for _, c := range []struct {
		name, in               string
		schema, table, clauses string
	}{
		{"plain", "ALTER TABLE t ADD COLUMN c int", "", "t", "ADD COLUMN c int"},
		{"lower-case keywords", "alter table t add c int", "", "t", "add c int"},
		{"bare names fold to lower case", "ALTER TABLE S.MyTable ADD c int", "s", "mytable", "ADD c int"},
		{"quoted names keep their case", `ALTER TABLE "S"."MyTable" ADD c int`, "S", "MyTable", "ADD c int"},
		{"mixed quoting", `ALTER TABLE public."T 1" ADD c int`, "public", "T 1", "ADD c int"},
		{"doubled quotes", `ALTER TABLE "a""b"."c""d" ADD c int`, `a"b`, `c"d`, "ADD c int"},
		{"spaces around the dot", `ALTER TABLE s . "t" ADD c int`, "s", "t", "ADD c int"},
		{"only ASCII letters fold", "ALTER TABLE ÄBC ADD c int", "", "Äbc", "ADD c int"},
		{"long names are cut to 63 bytes", "ALTER TABLE " + long + ".\"" + long + "\" ADD c int", long[:63], long[:63], "ADD c int"},
		{"IF EXISTS", "ALTER TABLE IF EXISTS s.t ADD c int", "s", "t", "ADD c int"},
		{"ONLY", "ALTER TABLE ONLY t ADD c int", "", "t", "ADD c int"},
		{"IF EXISTS ONLY", "alter table if exists only s.t add c int", "s", "t", "add c int"},
		{"ONLY in parentheses", "ALTER TABLE ONLY ( s.t ) ADD c int", "s", "t", "ADD c int"},
		{"descendants star", "ALTER TABLE t * ADD c int", "", "t", "ADD c int"},
		{"no space after a quoted name", `ALTER TABLE "t"ADD c int`, "", "t", "ADD c int"},
		{"comments before and between keywords", "-- why\n/* a /* nested */ */ ALTER /* x */ TABLE -- y\n t\n  ADD c int  ", "", "t", "ADD c int"},
		{"comments in the clauses stay", "ALTER TABLE t\n  DROP COLUMN c -- hotswap:allow drop-column", "", "t", "DROP COLUMN c -- hotswap:allow drop-column"},
		{"rename is for the caller to judge", "ALTER TABLE t RENAME TO u", "", "t", "RENAME TO u"},
		{"set schema likewise", "ALTER TABLE t SET SCHEMA s2", "", "t", "SET SCHEMA s2"},
		{"an action word as a name, action after it", "ALTER TABLE drop DROP COLUMN c", "", "drop", "DROP COLUMN c"},
		{"IF as a name", "ALTER TABLE if ADD c int", "", "if", "ADD c int"},
		{"reserved word after the dot", "ALTER TABLE s.select ADD c int", "s", "select", "ADD c int"},
	} {
		t.Run(c.name, func(t *testing.T) {
			schema, table, clauses, ok := ParseAlterTable(c.in)
			if !ok || schema != c.schema || table != c.table || clauses != c.clauses {
				t.Errorf("ParseAlterTable(%q) = %q, %q, %q, %v; want %q, %q, %q, true", c.in, schema, table, clauses, ok, c.schema, c.table, c.clauses)
			}
		})
	}
	for _, in := range []string{
		"",
		"SELECT 1",
		"ALTER",
		"ALTER TABLE",
		"ALTER TABLE t",
		"ALTER TABLE t -- nothing to do",
		`ALTER TABLE "t" /* nothing */`,
		"ALTER TABLE IF EXISTS",
		"ALTER TABLE ONLY",
		"ALTER TABLE IF EXISTS ONLY t",
		"ALTER TABLESPACE ts RENAME TO u",
		"ALTER TABLEt ADD c int",
		"ALTER INDEX i RENAME TO j",
		"CREATE TABLE t (a int)",
		"ALTER TABLE ALL IN TABLESPACE a SET TABLESPACE b", // not one table
		"ALTER TABLE ADD COLUMN c int",                     // the name left out
		"ALTER TABLE DROP COLUMN c",                        // likewise
		"ALTER TABLE RENAME TO u",                          // likewise
		"ALTER TABLE SET SCHEMA s",                         // likewise
		"ALTER TABLE ONLY IF EXISTS t ADD c int",           // the server wants IF EXISTS first
		"ALTER TABLE select ADD c int",                     // a reserved word
		"ALTER TABLE db.s.t ADD c int",                     // catalog-qualified
		`ALTER TABLE U&"t" ADD c int`,                      // Unicode escapes
		`ALTER TABLE "" ADD c int`,                         // no name
		`ALTER TABLE s."" ADD c int`,                       // likewise
		`ALTER TABLE "t ADD c int`,                         // unterminated
		"ALTER TABLE s. ADD c int",                         // no table after the dot
		"ALTER TABLE ONLY (t ADD c int",                    // unclosed parenthesis
		"ALTER TABLE 1t ADD c int",                         // a number
		"/* never closed ALTER TABLE t ADD c int",          // all a comment
		"-- ALTER TABLE t ADD c int\nSELECT 1",             // the ALTER is a comment
	} {
		if schema, table, clauses, ok := ParseAlterTable(in); ok {
			t.Errorf("ParseAlterTable(%q) = %q, %q, %q, true; want not ok", in, schema, table, clauses)
		}
	}
}

// TestParseAlterTableSplit: the statements SplitStatements returns, leading
// and trailing comments included, are what ParseAlterTable reads.
func TestParseAlterTableSplit(t *testing.T) {
	stmts, err := SplitStatements("-- add it\nALTER TABLE \"S\".t ADD c int;\nALTER TABLE ONLY t DROP COLUMN d; -- hotswap:allow drop-column\nCREATE FUNCTION f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql;")
	if err != nil {
		t.Fatal(err)
	}
	var got [][4]any
	for _, st := range stmts {
		s, tb, cl, ok := ParseAlterTable(st.SQL)
		got = append(got, [4]any{s, tb, cl, ok})
	}
	want := [][4]any{
		{"S", "t", "ADD c int", true},
		{"", "t", "DROP COLUMN d -- hotswap:allow drop-column", true},
		{"", "", "", false},
	}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("statement %d: got %v, want %v", i, got[i], want[i])
		}
	}
}
