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

// TestDataProbeSQL: the lint's probes read one row at most, quote every
// name, and leave rows with a NULL key column out of the duplicates.
func TestDataProbeSQL(t *testing.T) {
	if got, want := HasRowsSQL("s", "T", "c"), `SELECT 1 FROM "s"."T" WHERE "c" IS NULL LIMIT 1`; got != want {
		t.Errorf("rows: %s", got)
	}
	want := `SELECT 1 FROM "s"."t" WHERE "a" IS NOT NULL AND "b" IS NOT NULL GROUP BY "a", "b" HAVING COUNT(*) > 1 LIMIT 1`
	if got := HasDuplicatesSQL("s", "t", []string{"a", "b"}); got != want {
		t.Errorf("duplicates: %s", got)
	}
	if got := SearchPath(`My "S"`); got != `"My ""S""", public` {
		t.Errorf("search path: %s", got)
	}
}
