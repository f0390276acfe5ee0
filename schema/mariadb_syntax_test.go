package schema

import "testing"

// TestParseMySQLAlterMariaDBWords: MariaDB's INVISIBLE columns, SPATIAL
// indexes, spatial types and its own types parse, and a column named like
// one of those words keeps its name in the analysis.
func TestParseMySQLAlterMariaDBWords(t *testing.T) {
	a, err := ParseMySQLAlter("ADD COLUMN h INT INVISIBLE DEFAULT 7, CHANGE `invisible` v INT invisible, MODIFY c VARCHAR(9) DEFAULT 'INVISIBLE'")
	if err != nil {
		t.Fatal(err)
	}
	if a.Renames["invisible"] != "v" {
		t.Errorf("renames %v", a.Renames)
	}
	for _, clause := range []string{
		"ADD SPATIAL INDEX sp_g (g)", "MODIFY g GEOMETRY NOT NULL", "ADD COLUMN IF NOT EXISTS p POINT",
		"MODIFY COLUMN g MULTIPOLYGON", "ADD COLUMN ip INET6, ADD u UUID DEFAULT NULL", "ADD SPATIAL KEY (g), MODIFY x INET4",
	} {
		if _, err := ParseMySQLAlter(clause); err != nil {
			t.Errorf("%s: %v", clause, err)
		}
	}
	a, err = ParseMySQLAlter("CHANGE point geometry POINT, DROP COLUMN uuid, ADD INDEX point (x)")
	if err != nil {
		t.Fatal(err)
	}
	if a.Renames["point"] != "geometry" || !a.Dropped["uuid"] {
		t.Errorf("names read as types: renames %v, dropped %v", a.Renames, a.Dropped)
	}
	for in, want := range map[string]string{
		"MODIFY c INT INVISIBLE DEFAULT 'invisible' -- invisible\n, ADD `invisible` INT": "MODIFY c INT           DEFAULT 'invisible' -- invisible\n, ADD `invisible` INT",
		"CHANGE `point` point POINT, ADD p POLYGON":                                      "CHANGE `point` point BLOB, ADD p BLOB",
		"ADD SPATIAL INDEX point (g)":                                                    "ADD         INDEX point (g)",
	} {
		if got := forTheParser(in); got != want {
			t.Errorf("forTheParser(%q) = %q, want %q", in, got, want)
		}
	}
}
