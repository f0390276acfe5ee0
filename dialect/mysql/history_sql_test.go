package mysql

import (
	"strings"
	"testing"
)

// TestHistorySQL: the history table's statements name it in its database,
// read and write the same columns in the same order, and the upsert
// replaces every column but the key.
func TestHistorySQL(t *testing.T) {
	create := CreateHistorySQL("my db", "hotswap_migrations")
	if !strings.HasPrefix(create, "CREATE TABLE IF NOT EXISTS `my db`.`hotswap_migrations` (") {
		t.Errorf("create: %s", create)
	}
	cols := strings.Split(historyColumns, ", ")
	for _, c := range cols {
		if !strings.Contains(create, "\n\t"+c+" ") {
			t.Errorf("create lacks column %s", c)
		}
	}
	if got := SelectHistorySQL("d", "h"); got != "SELECT "+historyColumns+" FROM `d`.`h` ORDER BY version" {
		t.Errorf("select: %s", got)
	}
	save := SaveHistorySQL("d", "h")
	if strings.Count(save, "?") != len(cols) {
		t.Errorf("save has %d placeholders for %d columns: %s", strings.Count(save, "?"), len(cols), save)
	}
	for _, c := range cols[1:] {
		if !strings.Contains(save, c+" = VALUES("+c+")") {
			t.Errorf("save does not replace %s: %s", c, save)
		}
	}
	if n := len(MigrateLockName(strings.Repeat("x", 64))); n > 64 {
		t.Errorf("lock name of %d characters", n)
	}
}

// TestDataProbeSQL: the lint's probes read one row at most, quote every
// name, and leave rows with a NULL key column out of the duplicates.
func TestDataProbeSQL(t *testing.T) {
	if got, want := HasRowsSQL("d", "t`x", "c"), "SELECT 1 FROM `d`.`t``x` WHERE `c` IS NULL LIMIT 1"; got != want {
		t.Errorf("rows: %s", got)
	}
	if got, want := HasRowsSQL("d", "t", ""), "SELECT 1 FROM `d`.`t` LIMIT 1"; got != want {
		t.Errorf("rows: %s", got)
	}
	want := "SELECT 1 FROM `d`.`t` WHERE `a` IS NOT NULL AND `b` IS NOT NULL GROUP BY `a`, `b` HAVING COUNT(*) > 1 LIMIT 1"
	if got := HasDuplicatesSQL("d", "t", []string{"a", "b"}); got != want {
		t.Errorf("duplicates: %s", got)
	}
}
