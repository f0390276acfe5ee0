package versions

import "testing"

// TestAlterTableLike: every spelling of an ALTER of a table is caught, so
// one the parser cannot read is refused rather than run directly; other
// ALTERs and statements are not.
func TestAlterTableLike(t *testing.T) {
	for stmt, want := range map[string]bool{
		"ALTER IGNORE TABLE t ADD UNIQUE (a)":          true,
		"-- c\n/* d */ alter online table t add c int": true,
		"ALTER TABLE t ADD c INT":                      true,
		"# mysql comment\nALTER TABLE `t` DROP c":      true,
		"ALTER TABLESPACE ts RENAME TO ts2":            false,
		"ALTER VIEW v AS SELECT 1":                     false,
		"UPDATE t SET a = 'ALTER TABLE x'":             false,
		"CREATE TABLE t (id INT)":                      false,
	} {
		if got := alterTableLike.MatchString(stmt); got != want {
			t.Errorf("%q: %v, want %v", stmt, got, want)
		}
	}
}
