package schema

import "testing"

func TestParseMySQLAlterAutoIncrement(t *testing.T) {
	for clause, want := range map[string]int64{
		"AUTO_INCREMENT=7":                                7,
		"ADD COLUMN c INT, AUTO_INCREMENT 9":              9,
		"AUTO_INCREMENT=7, COMMENT 'x', AUTO_INCREMENT=8": 8,
		"ADD COLUMN c INT":                                -1,
		"COMMENT 'auto_increment=5'":                      -1,
	} {
		a, err := ParseMySQLAlter(clause)
		if err != nil {
			t.Fatalf("%s: %v", clause, err)
		}
		got := int64(-1)
		if a.AutoIncrement != nil {
			got = int64(*a.AutoIncrement)
		}
		if got != want {
			t.Errorf("%s: AutoIncrement %d, want %d", clause, got, want)
		}
	}
}
