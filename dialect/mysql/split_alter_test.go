package mysql

import "testing"

// TestParseAlterTable: ALTER TABLE statements give the database, the table
// and the clauses --alter takes; anything else, and an ALTER TABLE whose
// name is missing or whose clauses are, is not one.
func TestParseAlterTable(t *testing.T) {
	for _, c := range []struct {
		name, in               string
		schema, table, clauses string
	}{
		{"plain", "ALTER TABLE t ADD COLUMN c INT", "", "t", "ADD COLUMN c INT"},
		{"lower case", "alter table t add c int", "", "t", "add c int"},
		{"mixed case keeps the name's case", "Alter Table MyTable ENGINE=InnoDB", "", "MyTable", "ENGINE=InnoDB"},
		{"quoted and qualified", "ALTER TABLE `db`.`t` DROP COLUMN c", "db", "t", "DROP COLUMN c"},
		{"bare qualified", "ALTER TABLE db.t ENGINE=InnoDB", "db", "t", "ENGINE=InnoDB"},
		{"mixed quoting", "ALTER TABLE db.`t 1` ADD x INT", "db", "t 1", "ADD x INT"},
		{"doubled backticks", "ALTER TABLE `my``db`.`a``b` ADD x INT", "my`db", "a`b", "ADD x INT"},
		{"spaces around the dot", "ALTER TABLE `db` . t ADD x INT", "db", "t", "ADD x INT"},
		{"reserved word after the dot", "ALTER TABLE db.add ADD x INT", "db", "add", "ADD x INT"},
		{"name starting with a digit", "ALTER TABLE 1t ADD x INT", "", "1t", "ADD x INT"},
		{"multi-byte name", "ALTER TABLE tâble ADD x INT", "", "tâble", "ADD x INT"},
		{"no space after a quoted name", "ALTER TABLE `t`ADD x INT", "", "t", "ADD x INT"},
		{"comments before and between keywords", "-- why\n# more\n/* c */ ALTER /* x */ TABLE -- y\n t\n  ADD c INT  ", "", "t", "ADD c INT"},
		{"comments in the clauses stay", "ALTER TABLE t\n  DROP COLUMN c -- hotswap:allow drop-column", "", "t", "DROP COLUMN c -- hotswap:allow drop-column"},
		{"executable comment in the clauses", "ALTER TABLE t /*!50100 PARTITION BY HASH (a) */", "", "t", "/*!50100 PARTITION BY HASH (a) */"},
		{"MariaDB IF EXISTS", "ALTER TABLE IF EXISTS db.t ADD c INT", "db", "t", "ADD c INT"},
		{"clause word as a name, clause after it", "ALTER TABLE engine ADD c INT", "", "engine", "ADD c INT"},
		{"rename is for the caller to judge", "ALTER TABLE t RENAME TO u", "", "t", "RENAME TO u"},
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
		"ALTER TABLE `t` /* nothing */",
		"ALTER TABLE IF EXISTS",
		"ALTER TABLE IF EXISTS t",
		"ALTER TABLESPACE ts ADD DATAFILE 'f.ibd'",
		"ALTER TABLEt ADD c INT",
		"ALTER VIEW v AS SELECT 1",
		"CREATE TABLE t (a INT)",
		"ALTER TABLE ADD COLUMN c INT",            // the name left out
		"ALTER TABLE DROP COLUMN c",               // likewise
		"ALTER TABLE engine=InnoDB",               // a table option for a name
		"ALTER TABLE modify c INT",                // a clause word, no clause after it
		"ALTER TABLE if ADD c INT",                // IF without EXISTS
		"ALTER IGNORE TABLE t ADD UNIQUE (a)",     // IGNORE would be lost
		"ALTER ONLINE TABLE t ADD c INT",          // MariaDB's ONLINE, likewise
		"ALTER TABLE \"t\" ADD c INT",             // a string without ANSI_QUOTES
		"/*!40000 ALTER TABLE t DISABLE KEYS */",  // run as it is
		"ALTER TABLE `` ADD c INT",                // no name
		"ALTER TABLE `t ADD c INT",                // unterminated
		"ALTER TABLE 123 ADD c INT",               // a number
		"ALTER TABLE db. ",                        // no table after the dot
		"ALTER TABLE db.`` ADD c INT",             // likewise
		"/* never closed ALTER TABLE t ADD c INT", // all a comment
		"ALTER /*+ hint */ TABLE t ADD c INT",     // a hint is no comment
		"-- ALTER TABLE t ADD c INT\nSELECT 1",    // the ALTER is a comment
	} {
		if schema, table, clauses, ok := ParseAlterTable(in); ok {
			t.Errorf("ParseAlterTable(%q) = %q, %q, %q, true; want not ok", in, schema, table, clauses)
		}
	}
}

// TestParseAlterTableSplit: the statements SplitStatements returns, leading
// and trailing comments included, are what ParseAlterTable reads.
func TestParseAlterTableSplit(t *testing.T) {
	stmts, err := SplitStatements("-- add it\nALTER TABLE `db`.t ADD c INT;\nALTER TABLE t DROP COLUMN d; -- hotswap:allow drop-column\nDELIMITER //\nCREATE TRIGGER x BEFORE INSERT ON t FOR EACH ROW SET NEW.c = 1//")
	if err != nil {
		t.Fatal(err)
	}
	var got [][4]any
	for _, st := range stmts {
		s, tb, cl, ok := ParseAlterTable(st.SQL)
		got = append(got, [4]any{s, tb, cl, ok})
	}
	want := [][4]any{
		{"db", "t", "ADD c INT", true},
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
