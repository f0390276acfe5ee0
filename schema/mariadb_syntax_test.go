package schema

import "testing"

// TestParseMySQLAlterInvisible: MariaDB's INVISIBLE columns parse, and the
// word stays as it is inside strings and names.
func TestParseMySQLAlterInvisible(t *testing.T) {
	a, err := ParseMySQLAlter("ADD COLUMN h INT INVISIBLE DEFAULT 7, CHANGE `invisible` v INT invisible, MODIFY c VARCHAR(9) DEFAULT 'INVISIBLE'")
	if err != nil {
		t.Fatal(err)
	}
	if a.Renames["invisible"] != "v" {
		t.Errorf("renames %v", a.Renames)
	}
	if got := forTheParser("MODIFY c INT INVISIBLE DEFAULT 'invisible' -- invisible\n, ADD `invisible` INT"); got != "MODIFY c INT           DEFAULT 'invisible' -- invisible\n, ADD `invisible` INT" {
		t.Errorf("forTheParser = %q", got)
	}
}
