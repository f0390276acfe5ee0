package mysql

import "testing"

// TestKeptColumnsSQL: a revert window's resync reads the old table's kept
// columns with the key, locking them, and writes them back by the key.
func TestKeptColumnsSQL(t *testing.T) {
	r := compositeKeyRows()
	r.Keep = []string{"legacy", "note`x"}
	query, args := r.saveKeptSQL([][]any{{1, "x"}})
	assertSQL(t, query, args, "SELECT `a`, `bb`, `legacy`, `note``x` FROM `db`.`_t_new` WHERE ((`a` = ? AND `bb` = ?)) FOR UPDATE", []any{1, "x"})
	if got, want := r.restoreKeptSQL(), "UPDATE `db`.`_t_new` SET `legacy` = ?, `note``x` = ? WHERE `a` = ? AND `bb` = ?"; got != want {
		t.Errorf("restore:\n got %s\nwant %s", got, want)
	}
}
