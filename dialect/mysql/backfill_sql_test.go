package mysql

import "testing"

// TestBackfillStatementSQL: a chunk of --set/--where is one UPDATE whose
// --where is parenthesized (an OR in it cannot escape the key range); a
// --sql-file template gets the range at every {{chunk}}, its values bound
// once per occurrence.
func TestBackfillStatementSQL(t *testing.T) {
	for _, c := range []struct {
		name     string
		b        *Backfill
		lo, hi   []any
		want     string
		wantArgs []any
	}{
		{"set and where, closed range", &Backfill{Rows: singleKeyRows(), Set: "v = v + 1", Where: "v > 0 OR v IS NULL"}, []any{10}, []any{20},
			"UPDATE `db`.`t` SET v = v + 1 WHERE (v > 0 OR v IS NULL) AND 1=1 AND ((`id` > ?)) AND ((`id` <= ?))", []any{10, 20}},
		{"blank where is TRUE, last chunk", &Backfill{Rows: singleKeyRows(), Set: "v = 0", Where: "  "}, []any{10}, nil,
			"UPDATE `db`.`t` SET v = 0 WHERE (TRUE) AND 1=1 AND ((`id` > ?))", []any{10}},
		{"whole table", &Backfill{Rows: hostileRows(), Set: "`välue col` = 1"}, nil, nil,
			"UPDATE `my db`.`t``1` SET `välue col` = 1 WHERE (TRUE) AND 1=1", nil},
		{"template, range twice", &Backfill{Rows: singleKeyRows(),
			Template: "UPDATE t SET v = 1 WHERE {{chunk}} AND id IN (SELECT id FROM u WHERE {{chunk}})"}, []any{10}, []any{20},
			"UPDATE t SET v = 1 WHERE (1=1 AND ((`id` > ?)) AND ((`id` <= ?))) AND id IN (SELECT id FROM u WHERE (1=1 AND ((`id` > ?)) AND ((`id` <= ?))))",
			[]any{10, 20, 10, 20}},
		{"template, composite key, first chunk", &Backfill{Rows: compositeKeyRows(), Template: "DELETE FROM t WHERE {{chunk}}"}, nil, []any{1, "x"},
			"DELETE FROM t WHERE (1=1 AND ((`a` < ?) OR (`a` = ? AND `b` <= ?)))", []any{1, 1, "x"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			query, args := c.b.Statement(c.lo, c.hi)
			assertSQL(t, query, args, c.want, c.wantArgs)
		})
	}
}

// TestBackfillCountSQL: a dry run counts the rows of the range --where selects.
func TestBackfillCountSQL(t *testing.T) {
	b := &Backfill{Rows: singleKeyRows(), Set: "v = 1", Where: "v > 0"}
	query, args := b.countSQL([]any{10}, []any{20})
	assertSQL(t, query, args, "SELECT COUNT(*) FROM `db`.`t` WHERE (v > 0) AND 1=1 AND ((`id` > ?)) AND ((`id` <= ?))", []any{10, 20})
}

// TestBackfillEmptyRangeSQL: Check runs the statement on no rows: the range
// is FALSE, in the UPDATE and at every {{chunk}} of a template.
func TestBackfillEmptyRangeSQL(t *testing.T) {
	for _, c := range []struct {
		name string
		b    *Backfill
		want string
	}{
		{"set and where", &Backfill{Rows: singleKeyRows(), Set: "v = 1", Where: "v > 0"},
			"UPDATE `db`.`t` SET v = 1 WHERE FALSE AND (v > 0)"},
		{"no where", &Backfill{Rows: singleKeyRows(), Set: "v = 1"}, "UPDATE `db`.`t` SET v = 1 WHERE FALSE AND (TRUE)"},
		{"template", &Backfill{Rows: singleKeyRows(), Template: "UPDATE t SET v = 1 WHERE {{chunk}} OR {{chunk}}"},
			"UPDATE t SET v = 1 WHERE (FALSE) OR (FALSE)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := c.b.emptyRangeSQL(); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

// TestBackfillRowLockWaitSQL: the row lock wait is LockWait, at least 1 s.
func TestBackfillRowLockWaitSQL(t *testing.T) {
	for lockWait, want := range map[int]string{
		0: "SET SESSION innodb_lock_wait_timeout = 1",
		5: "SET SESSION innodb_lock_wait_timeout = 5",
	} {
		if got := (&Backfill{LockWait: lockWait}).rowLockWaitSQL(); got != want {
			t.Errorf("LockWait %d: got %s, want %s", lockWait, got, want)
		}
	}
}
