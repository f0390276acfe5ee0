package mysql

import (
	"fmt"
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
	{"comments only", "-- a\n# b;\n/* c; */\n--\n", nil},
	{"two statements", "SELECT 1;\nSELECT 2;\n", []Statement{{"SELECT 1", 1}, {"SELECT 2", 2}}},
	{"last without delimiter", "SELECT 1;\n\nSELECT 2\n", []Statement{{"SELECT 1", 1}, {"SELECT 2", 3}}},
	{"two on a line", "SELECT 1; SELECT 2;", []Statement{{"SELECT 1", 1}, {"SELECT 2", 1}}},
	{"statement over lines", "ALTER TABLE t\n  ADD c INT,\n  ADD d INT;", []Statement{{"ALTER TABLE t\n  ADD c INT,\n  ADD d INT", 1}}},
	{"semicolon in single quotes", "SELECT 'a;b';SELECT 2", []Statement{{"SELECT 'a;b'", 1}, {"SELECT 2", 1}}},
	{"doubled single quote", "SELECT 'it''s;';SELECT 2", []Statement{{"SELECT 'it''s;'", 1}, {"SELECT 2", 1}}},
	{"backslash-escaped single quote", `SELECT 'a\';b';SELECT 2`, []Statement{{`SELECT 'a\';b'`, 1}, {"SELECT 2", 1}}},
	{"escaped backslash ends the string", `SELECT 'a\\';SELECT 2`, []Statement{{`SELECT 'a\\'`, 1}, {"SELECT 2", 1}}},
	{"double quotes, escaped and doubled", `SELECT "a\";b", "c"";d";SELECT 2`, []Statement{{`SELECT "a\";b", "c"";d"`, 1}, {"SELECT 2", 1}}},
	{"backtick name, doubled backtick", "SELECT `a;b`, `c``;d` FROM t;SELECT 2", []Statement{{"SELECT `a;b`, `c``;d` FROM t", 1}, {"SELECT 2", 1}}},
	{"no backslash escape in a backtick name", "SELECT `a\\`;SELECT 2", []Statement{{"SELECT `a\\`", 1}, {"SELECT 2", 1}}},
	{"string over lines", "SELECT 'a\n;b';\nSELECT 2;", []Statement{{"SELECT 'a\n;b'", 1}, {"SELECT 2", 3}}},
	{"dash comment", "SELECT 1 -- ;x\n;SELECT 2", []Statement{{"SELECT 1 -- ;x", 1}, {"SELECT 2", 2}}},
	{"dash comment with a tab", "SELECT 1 --\t;x\n;SELECT 2", []Statement{{"SELECT 1 --\t;x", 1}, {"SELECT 2", 2}}},
	{"dash dash at the end of a line", "SELECT 1 --\n;SELECT 2", []Statement{{"SELECT 1 --", 1}, {"SELECT 2", 2}}},
	{"dash dash without space is minus minus", "SELECT 1--1;SELECT 2", []Statement{{"SELECT 1--1", 1}, {"SELECT 2", 1}}},
	{"dash dash before the delimiter is a comment", "SELECT 1 --;--;\n#;\nSELECT 2", []Statement{{"SELECT 1 --", 1}, {"#;\nSELECT 2", 2}}},
	{"hash comment", "SELECT 1 # ;x\n;SELECT 2", []Statement{{"SELECT 1 # ;x", 1}, {"SELECT 2", 2}}},
	{"block comment", "SELECT /* ; */ 1;SELECT 2", []Statement{{"SELECT /* ; */ 1", 1}, {"SELECT 2", 1}}},
	{"block comments do not nest", "SELECT /* /* */ 1; SELECT 2 */", []Statement{{"SELECT /* /* */ 1", 1}, {"SELECT 2 */", 1}}},
	{"quotes in a comment", "SELECT 1 /* it's */;SELECT 2 # don't\n;", []Statement{{"SELECT 1 /* it's */", 1}, {"SELECT 2 # don't", 1}}},
	{"comment markers in a string", "SELECT '-- # /*';SELECT 2", []Statement{{"SELECT '-- # /*'", 1}, {"SELECT 2", 1}}},
	{"executable comments are text", "/*!40101 SET @a=1 */;\n/*M!100100 SET @b=2 */;",
		[]Statement{{"/*!40101 SET @a=1 */", 1}, {"/*M!100100 SET @b=2 */", 2}}},
	{"executable comment in a statement", "CREATE TABLE t (a INT) /*!50100 PARTITION BY HASH (a) */;",
		[]Statement{{"CREATE TABLE t (a INT) /*!50100 PARTITION BY HASH (a) */", 1}}},
	{"delimiter in an executable comment ends the statement, as in the client", "/*!50003 SET @a=1; SET @b=';' */;",
		[]Statement{{"/*!50003 SET @a=1", 1}, {"SET @b=';' */", 1}}},
	{"optimizer hint is text read whole", "SELECT /*+ BKA(t1); */ 1;SELECT 2", []Statement{{"SELECT /*+ BKA(t1); */ 1", 1}, {"SELECT 2", 1}}},
	{"DELIMITER // around a trigger", `DELIMITER //
CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW
BEGIN
  SET NEW.a = 'x;y';
  SET NEW.b = 2; -- not the end
END//
DELIMITER ;
SELECT 1;
`, []Statement{{"CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW\nBEGIN\n  SET NEW.a = 'x;y';\n  SET NEW.b = 2; -- not the end\nEND", 2}, {"SELECT 1", 8}}},
	{"DELIMITER ;; as mysqldump writes it", "DELIMITER ;;\n/*!50003 CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.a = 1; END */;;\nDELIMITER ;\nSELECT 1;",
		[]Statement{{"/*!50003 CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.a = 1; END */", 2}, {"SELECT 1", 4}}},
	{"lower-case DELIMITER, indented, with a comment", "  delimiter $$ -- switch\nSELECT 1; SELECT 2$$\nSELECT 3 $$ -- three\ndelimiter ;\nSELECT 4;",
		[]Statement{{"SELECT 1; SELECT 2", 2}, {"SELECT 3 -- three", 3}, {"SELECT 4", 5}}},
	{"quoted DELIMITER", "DELIMITER '//'\nSELECT 1//", []Statement{{"SELECT 1", 2}}},
	{"DELIMITER after comments, which go to the next statement", "-- the trigger\nDELIMITER //\n\nCREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1//\nDELIMITER ;\n",
		[]Statement{{"-- the trigger\nCREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1", 1}}},
	{"DELIMITER in a string is text", "SELECT 'x\nDELIMITER //\n';", []Statement{{"SELECT 'x\nDELIMITER //\n'", 1}}},
	{"DELIMITER inside a statement is text", "SELECT 1\nDELIMITER //\n;", []Statement{{"SELECT 1\nDELIMITER //", 1}}},
	{"DELIMITER( is no command", "delimiter(1);", []Statement{{"delimiter(1)", 1}}},
	{"leading comments go to the next statement", "-- first\nSELECT 1;\n\n/* second */\n-- hotswap:allow drop-column\nALTER TABLE t DROP COLUMN c;",
		[]Statement{{"-- first\nSELECT 1", 1}, {"/* second */\n-- hotswap:allow drop-column\nALTER TABLE t DROP COLUMN c", 4}}},
	{"a comment after the delimiter on its line stays with the statement", "ALTER TABLE t DROP COLUMN c;  -- hotswap:allow drop-column\r\nALTER TABLE u DROP COLUMN d; # why\n",
		[]Statement{{"ALTER TABLE t DROP COLUMN c -- hotswap:allow drop-column", 1}, {"ALTER TABLE u DROP COLUMN d # why", 2}}},
	{"a block comment after the delimiter goes to the next", "SELECT 1; /* next */ SELECT 2;", []Statement{{"SELECT 1", 1}, {"/* next */ SELECT 2", 1}}},
	{"comments inside a statement stay", "ALTER TABLE t\n  -- hotswap:allow drop-column\n  DROP COLUMN c, # gone\n  ADD d INT /* new */;",
		[]Statement{{"ALTER TABLE t\n  -- hotswap:allow drop-column\n  DROP COLUMN c, # gone\n  ADD d INT /* new */", 1}}},
	{"empty statements are dropped with their comments", ";;\n-- c\n;SELECT 1;; -- after an empty one\nSELECT 2",
		[]Statement{{"SELECT 1", 3}, {"-- after an empty one\nSELECT 2", 3}}},
	{"comments after the last statement", "SELECT 1;\n-- the end\n/* really */\n", []Statement{{"SELECT 1", 1}}},
	{"CRLF lines", "SELECT 1;\r\nSELECT\r\n 2;\r\n", []Statement{{"SELECT 1", 1}, {"SELECT\r\n 2", 2}}},
	{`\N is NULL`, `INSERT INTO t VALUES (\N);`, []Statement{{`INSERT INTO t VALUES (\N)`, 1}}},
	{"multi-byte text", "SELECT 'é;ü', `tâble`;SELECT 2", []Statement{{"SELECT 'é;ü', `tâble`", 1}, {"SELECT 2", 1}}},
}

// TestSplitStatements: statements end at the delimiter where the mysql
// client ends them, keep their comments, and carry the line they start on.
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

// TestSplitStatementsErrors: what would leave the client reading the rest of
// the file as one string, name or comment, a malformed DELIMITER and a
// client command are errors naming the line where they start.
func TestSplitStatementsErrors(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"unterminated single quote", "SELECT 1;\n\nSELECT 'abc;\nSELECT 2;", "line 3: unterminated string '...' (started here)"},
		{"unterminated after an escaped quote", `SELECT 'abc\';`, "line 1: unterminated string '...'"},
		{"backslash at the end", `SELECT 'abc\`, "line 1: unterminated string '...'"},
		{"unterminated double quote", "SELECT 1;\nSELECT \"abc\\\";", `line 2: unterminated string "..."`},
		{"unterminated backtick", "SELECT 1;\nSELECT 2;\nSELECT `a;", "line 3: unterminated quoted name `...`"},
		{"unterminated block comment", "SELECT 1;\n/* never closed;\nSELECT 2;", "line 2: unterminated /* comment (started here): close it with */"},
		{"unterminated hint", "SELECT /*+ BKA(t1) 1;", "line 1: unterminated /* comment"},
		{"unterminated in a DELIMITER block", "DELIMITER //\nCREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW\nSET NEW.a = 'x//\nDELIMITER ;", "line 3: unterminated string"},
		{"DELIMITER without a delimiter", "SELECT 1;\nDELIMITER\nSELECT 2;", "line 2: DELIMITER needs the delimiter to switch to"},
		{"DELIMITER with a backslash", `DELIMITER \\`, "line 1: DELIMITER \\\\: a delimiter cannot hold a backslash"},
		{"DELIMITER followed by text", "DELIMITER // SELECT 1//", `line 1: DELIMITER // is followed by "SELECT 1//"`},
		{"DELIMITER after a statement on its line", "SELECT 1; DELIMITER //\nSELECT 2//", "line 1: DELIMITER must begin a line of its own"},
		{"DELIMITER after a comment on its line", "/* x */ DELIMITER //\nSELECT 2//", "line 1: DELIMITER must begin a line of its own"},
		{"client command", "SELECT 1\n\\G", `line 2: \G outside a string is a mysql client command`},
		{"lone backslash", "SELECT 1 \\", "line 1: a backslash outside a string is a mysql client command"},
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
// written back as a file, one after another on lines of their own with a
// delimiter none of them holds, split into the same statements.
func FuzzSplitStatements(f *testing.F) {
	for _, c := range splitCases {
		f.Add(c.in)
	}
	f.Add("ALTER TABLE IF EXISTS s.t ADD c int; -- hotswap:allow x\nALTER TABLE ONLY (t) DROP c")
	f.Add("DELIMITER $$\nSELECT '$$0';$$")
	f.Add("SELECT 1; delimiter(x);")
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
		delim := ""
		for n := 0; delim == "" || slices.ContainsFunc(sqls, func(s string) bool { return strings.Contains(s, delim) }); n++ {
			delim = fmt.Sprintf("$$%d", n)
		}
		file := "DELIMITER " + delim + "\n" + strings.Join(sqls, "\n"+delim+"\n")
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
