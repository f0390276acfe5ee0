package mysql

import (
	"strings"
	"testing"
)

// TestUsedLocksSQL: one IS_USED_LOCK per name, each bound (a lock name is
// never spliced into the text), so the scan gets one column per name.
func TestUsedLocksSQL(t *testing.T) {
	for _, n := range []int{1, 3, usedLocksBatch} {
		got := usedLocksSQL(n)
		if c := strings.Count(got, "IS_USED_LOCK(?)"); c != n || strings.Count(got, "?") != n {
			t.Errorf("usedLocksSQL(%d) has %d IS_USED_LOCK(?) and %d placeholders: %s", n, c, strings.Count(got, "?"), got)
		}
		if strings.HasSuffix(got, ", ") || !strings.HasPrefix(got, "SELECT IS_USED_LOCK(?)") {
			t.Errorf("usedLocksSQL(%d) is malformed: %q", n, got)
		}
	}
}

// TestInventoryTablesSQL: only base tables of the one database, bound.
func TestInventoryTablesSQL(t *testing.T) {
	for _, want := range []string{"TABLE_SCHEMA = ?", "TABLE_TYPE = 'BASE TABLE'", "TABLE_COMMENT"} {
		if !strings.Contains(inventoryTablesSQL, want) {
			t.Errorf("inventoryTablesSQL lacks %q:\n%s", want, inventoryTablesSQL)
		}
	}
}
