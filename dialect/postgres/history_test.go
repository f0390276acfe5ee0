package postgres

import (
	"strings"
	"testing"
)

// TestHistorySQL: the history table's statements name it in its schema,
// read and write the same columns in the same order, and the upsert
// replaces every column but the key.
func TestHistorySQL(t *testing.T) {
	create := CreateHistorySQL("My Schema", "hotswap_migrations")
	if !strings.HasPrefix(create, `CREATE TABLE IF NOT EXISTS "My Schema"."hotswap_migrations" (`) {
		t.Errorf("create: %s", create)
	}
	cols := strings.Split(historyColumns, ", ")
	for _, c := range cols {
		if !strings.Contains(create, "\n\t"+c+" ") {
			t.Errorf("create lacks column %s", c)
		}
	}
	save := SaveHistorySQL("public", "h")
	if !strings.Contains(save, "$12)") || strings.Contains(save, "$13") {
		t.Errorf("save's placeholders: %s", save)
	}
	for _, c := range cols[1:] {
		if !strings.Contains(save, c+" = EXCLUDED."+c) {
			t.Errorf("save does not replace %s: %s", c, save)
		}
	}
	if MigrateLockKey("a", "b") == MigrateLockKey("a", "c") || MigrateLockKey("ab", "") == MigrateLockKey("a", "b") {
		t.Error("two schemas share a migrate lock")
	}
}
