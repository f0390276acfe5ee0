package postgres

import (
	"slices"
	"strings"
	"testing"
)

// splitCases are the files SplitStatements splits, and the seeds of
// FuzzSplitStatements.
var splitCases = []struct {
	name string
	in   string
	want []Statement
}{
	{"empty", "", nil},
	{"white space only", " \n\t\r\n", nil},
	{"comments only", "-- a;\n/* b; /* nested; */ still; */\n--\n", nil},
	{"two statements", "SELECT 1;\nSELECT 2;\n", []Statement{{"SELECT 1", 1}, {"SELECT 2", 2}}},
	{"last without semicolon", "SELECT 1;\n\nSELECT 2\n", []Statement{{"SELECT 1", 1}, {"SELECT 2", 3}}},
	{"two on a line", "SELECT 1; SELECT 2;", []Statement{{"SELECT 1", 1}, {"SELECT 2", 1}}},
	{"semicolon in single quotes", "SELECT 'a;b';SELECT 2", []Statement{{"SELECT 'a;b'", 1}, {"SELECT 2", 1}}},
	{"doubled single quote", "SELECT 'it''s;';SELECT 2", []Statement{{"SELECT 'it''s;'", 1}, {"SELECT 2", 1}}},
	{"no backslash escape in a standard string", `SELECT 'a\';SELECT 2`, []Statement{{`SELECT 'a\'`, 1}, {"SELECT 2", 1}}},
	{"backslash escape in an E string", `SELECT E'a\';b';SELECT 2`, []Statement{{`SELECT E'a\';b'`, 1}, {"SELECT 2", 1}}},
	{"lower-case e string", `SELECT e'a\\';SELECT 2`, []Statement{{`SELECT e'a\\'`, 1}, {"SELECT 2", 1}}},
	{"E only as a word of its own", `SELECT namE'a\';SELECT 2`, []Statement{{`SELECT namE'a\'`, 1}, {"SELECT 2", 1}}},
	{"bit, hex, national and Unicode strings", `SELECT B'1;', X'2;', N'3;', U&'\0041;''';SELECT 2`,
		[]Statement{{`SELECT B'1;', X'2;', N'3;', U&'\0041;'''`, 1}, {"SELECT 2", 1}}},
	{"quoted names", `SELECT "a;b", "c"";d", U&"e;" FROM t;SELECT 2`, []Statement{{`SELECT "a;b", "c"";d", U&"e;" FROM t`, 1}, {"SELECT 2", 1}}},
	{"string over lines", "SELECT 'a\n;b';\nSELECT 2;", []Statement{{"SELECT 'a\n;b'", 1}, {"SELECT 2", 3}}},
	{"dollar quote", "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;SELECT 2",
		[]Statement{{"CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql", 1}, {"SELECT 2", 1}}},
	{"tagged dollar quote with a parameter and other dollars inside", `CREATE FUNCTION add1(int) RETURNS int AS $fn$
BEGIN
  RETURN $1 + 1; -- $$ and $f$ and 'quotes are no quotes here
END;
$fn$ LANGUAGE plpgsql;
SELECT add1(1);`, []Statement{{"CREATE FUNCTION add1(int) RETURNS int AS $fn$\nBEGIN\n  RETURN $1 + 1; -- $$ and $f$ and 'quotes are no quotes here\nEND;\n$fn$ LANGUAGE plpgsql", 1}, {"SELECT add1(1)", 6}}},
	{"dollar quotes nest by tag", "SELECT $a$ $b$ ; $b$ ; $a$;SELECT 2", []Statement{{"SELECT $a$ $b$ ; $b$ ; $a$", 1}, {"SELECT 2", 1}}},
	{"tag with digits and non-ASCII", "SELECT $é1$;$é1$;SELECT 2", []Statement{{"SELECT $é1$;$é1$", 1}, {"SELECT 2", 1}}},
	{"parameters are no dollar quotes", "PREPARE p AS SELECT $1, $2;EXECUTE p(1, 2)", []Statement{{"PREPARE p AS SELECT $1, $2", 1}, {"EXECUTE p(1, 2)", 1}}},
	{"a dollar in a word is no dollar quote", "SELECT a$$ FROM t$x$;SELECT 2", []Statement{{"SELECT a$$ FROM t$x$", 1}, {"SELECT 2", 1}}},
	{"a dollar after a number is", "SELECT 1$$;$$;SELECT 2", []Statement{{"SELECT 1$$;$$", 1}, {"SELECT 2", 1}}},
	{"dash comment, no space needed", "SELECT 1 --;x\n;SELECT 2", []Statement{{"SELECT 1 --;x", 1}, {"SELECT 2", 2}}},
	{"nested block comments", "SELECT /* a /* b; */ still; */ 1;SELECT 2", []Statement{{"SELECT /* a /* b; */ still; */ 1", 1}, {"SELECT 2", 1}}},
	{"comment after an operator", "SELECT 2 */* ; */ 3;SELECT 2", []Statement{{"SELECT 2 */* ; */ 3", 1}, {"SELECT 2", 1}}},
	{"quotes in comments", "SELECT 1 /* it's */;SELECT 2 -- don't\n;", []Statement{{"SELECT 1 /* it's */", 1}, {"SELECT 2 -- don't", 1}}},
	{"semicolon in parentheses, as in psql", "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2));SELECT 1",
		[]Statement{{"CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2))", 1}, {"SELECT 1", 1}}},
	{"a stray ) closes nothing", "SELECT 1);SELECT 2", []Statement{{"SELECT 1)", 1}, {"SELECT 2", 1}}},
	{"SQL-standard function body", `CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql
BEGIN ATOMIC
  SELECT CASE WHEN true THEN 1 END;
  SELECT 2;
END;
SELECT f();`, []Statement{{"CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT CASE WHEN true THEN 1 END;\n  SELECT 2;\nEND", 1}, {"SELECT f()", 6}}},
	{"SQL-standard procedure body", "create procedure p() begin atomic insert into t values (1); end;call p();",
		[]Statement{{"create procedure p() begin atomic insert into t values (1); end", 1}, {"call p()", 1}}},
	{"BEGIN outside a function is a statement", "BEGIN;\nALTER TABLE t ADD c int;\nCOMMIT;",
		[]Statement{{"BEGIN", 1}, {"ALTER TABLE t ADD c int", 2}, {"COMMIT", 3}}},
	{"BEGIN in a function's parameters counts not", "CREATE FUNCTION f(begin int) RETURNS int AS 'SELECT 1' LANGUAGE sql;SELECT 2",
		[]Statement{{"CREATE FUNCTION f(begin int) RETURNS int AS 'SELECT 1' LANGUAGE sql", 1}, {"SELECT 2", 1}}},
	{"leading comments go to the next statement", "-- first\nSELECT 1;\n\n/* second */\n-- hotswap:allow drop-column\nALTER TABLE t DROP COLUMN c;",
		[]Statement{{"-- first\nSELECT 1", 1}, {"/* second */\n-- hotswap:allow drop-column\nALTER TABLE t DROP COLUMN c", 4}}},
	{"a comment after the semicolon on its line stays with the statement", "ALTER TABLE t DROP COLUMN c;\t-- hotswap:allow drop-column\r\nALTER TABLE u DROP COLUMN d; --why\n",
		[]Statement{{"ALTER TABLE t DROP COLUMN c -- hotswap:allow drop-column", 1}, {"ALTER TABLE u DROP COLUMN d --why", 2}}},
	{"a block comment after the semicolon goes to the next", "SELECT 1; /* next */ SELECT 2;", []Statement{{"SELECT 1", 1}, {"/* next */ SELECT 2", 1}}},
	{"comments inside a statement stay", "ALTER TABLE t\n  -- hotswap:allow drop-column\n  DROP COLUMN c, /* gone */\n  ADD d int;",
		[]Statement{{"ALTER TABLE t\n  -- hotswap:allow drop-column\n  DROP COLUMN c, /* gone */\n  ADD d int", 1}}},
	{"empty statements are dropped with their comments", ";;\n-- c\n;SELECT 1;; -- after an empty one\nSELECT 2",
		[]Statement{{"SELECT 1", 3}, {"-- after an empty one\nSELECT 2", 3}}},
	{"comments after the last statement", "SELECT 1;\n-- the end\n/* really */\n", []Statement{{"SELECT 1", 1}}},
	{"CRLF lines", "SELECT 1;\r\nSELECT\r\n 2;\r\n", []Statement{{"SELECT 1", 1}, {"SELECT\r\n 2", 2}}},
	{"casts, arrays and operators", "SELECT '{1,2}'::int[] @> ARRAY[1], 1.5e3, 1_000, x->>'k';SELECT 2",
		[]Statement{{"SELECT '{1,2}'::int[] @> ARRAY[1], 1.5e3, 1_000, x->>'k'", 1}, {"SELECT 2", 1}}},
}

// TestSplitStatements: statements end at ";" where psql ends them, keep
// their comments, and carry the line they start on.
func TestSplitStatements(t *testing.T) {
	for _, c := range splitCases {
		t.Run(c.name, func(t *testing.T) {
			got, err := SplitStatements(c.in)
			if err != nil {
				t.Fatalf("SplitStatements(%q): %v", c.in, err)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("SplitStatements(%q)\n got %+v\nwant %+v", c.in, got, c.want)
			}
		})
	}
}

// TestSplitStatementsErrors: what would leave psql reading the rest of the
// file as one string, name, dollar quote, comment or statement, and a
// meta-command, are errors naming the line where they start.
func TestSplitStatementsErrors(t *testing.T) {
	fn := strings.Repeat("SELECT 1;\n", 11) + "CREATE FUNCTION f() RETURNS int AS $fn$\nBEGIN RETURN 1; END;\n$fm$ LANGUAGE plpgsql;\n"
	for _, c := range []struct{ name, in, want string }{
		{"unterminated single quote", "SELECT 1;\n\nSELECT 'abc;\nSELECT 2;", "line 3: unterminated string '...' (started here)"},
		{"a backslash does not escape in a standard string", `SELECT 'a\'';`, "line 1: unterminated string '...'"},
		{"unterminated E string", "SELECT 1;\nSELECT E'abc\\';", "line 2: unterminated string E'...'"},
		{"unterminated quoted name", "SELECT 1;\nSELECT \"a;", `line 2: unterminated quoted name "..."`},
		{"unterminated Unicode name", `SELECT U&"a;`, `line 1: unterminated quoted name U&"..."`},
		{"unterminated dollar quote", fn, "line 12: unterminated dollar-quoted string $fn$ (started here): close it with $fn$"},
		{"unterminated untagged dollar quote", "SELECT $$a;\n", "line 1: unterminated dollar-quoted string $$"},
		{"unterminated block comment", "SELECT 1;\n/* never closed;\nSELECT 2;", "line 2: unterminated /* comment (started here)"},
		{"unterminated nested block comment", "/* a /* b */ c;\nSELECT 1;", "line 1: unterminated /* comment"},
		{"unclosed parenthesis", "SELECT 1;\nSELECT (1;\nSELECT 2;", "line 2: ( is never closed"},
		{"unclosed function body", "SELECT 1;\nCREATE FUNCTION f() RETURNS int LANGUAGE sql\nBEGIN ATOMIC SELECT 1;\n", "line 3: BEGIN of a function body is never closed by END"},
		{"meta-command", "SELECT 1;\n\\connect other\nSELECT 2;", `line 2: \connect outside a string is a psql meta-command`},
		{"backslash semicolon", "SELECT 1\\;SELECT 2;", `line 1: \; outside a string is a psql meta-command`},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := SplitStatements(c.in)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("SplitStatements(%q) = %+v, %v; want error %q", c.in, got, err, c.want)
			}
		})
	}
}

// FuzzSplitStatements: no input panics; without an error, every statement
// is non-empty and trimmed, lines rise within the input, ParseAlterTable
// reads a table and clauses that end the statement if any, and the statements
// written back as a file, each followed by a ";" on a line of its own (so
// that a "--" comment that ends one cannot hide it), split into the same
// statements.
func FuzzSplitStatements(f *testing.F) {
	for _, c := range splitCases {
		f.Add(c.in)
	}
	f.Add("ALTER TABLE IF EXISTS s.t ADD c int; -- hotswap:allow x\nALTER TABLE ONLY (t) DROP c")
	f.Fuzz(func(t *testing.T, in string) {
		stmts, err := SplitStatements(in)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "line ") {
				t.Fatalf("error without a line: %v", err)
			}
			return
		}
		lines, last := strings.Count(in, "\n")+1, 1
		sqls := make([]string, len(stmts))
		for i, st := range stmts {
			if st.SQL == "" || strings.Trim(st.SQL, splitSpace) != st.SQL {
				t.Fatalf("statement %d not trimmed: %q", i, st.SQL)
			}
			if st.Line < last || st.Line > lines {
				t.Fatalf("statement %d at line %d, after line %d, of %d lines", i, st.Line, last, lines)
			}
			last, sqls[i] = st.Line, st.SQL
			if _, table, clauses, ok := ParseAlterTable(st.SQL); ok && (table == "" || clauses == "" || !strings.HasSuffix(st.SQL, clauses)) {
				t.Fatalf("ParseAlterTable(%q) = table %q, clauses %q", st.SQL, table, clauses)
			}
		}
		file := strings.Join(sqls, "\n;\n")
		again, err := SplitStatements(file)
		if err != nil {
			t.Fatalf("statements %q written back as %q: %v", sqls, file, err)
		}
		var got []string
		for _, st := range again {
			got = append(got, st.SQL)
		}
		if !slices.Equal(got, sqls) && len(got)+len(sqls) > 0 {
			t.Fatalf("statements %q written back as %q split into %q", sqls, file, got)
		}
	})
}
