package mysql

import (
	"testing"

	"github.com/hotswap/hotswap/schema"
)

// TestAwaitCommittedSQL: the wait for uncommitted writers is a locking read
// of the source rows of the batch, with the server's share-lock clause.
func TestAwaitCommittedSQL(t *testing.T) {
	for _, c := range []struct {
		name     string
		rows     *Rows
		keys     [][]any
		want     string
		wantArgs []any
	}{
		{"single key, two keys", singleKeyRows(), [][]any{{1}, {2}},
			"SELECT 1 FROM `db`.`t` WHERE `id` IN (?,?) LOCK IN SHARE MODE", []any{1, 2}},
		{"composite key, NOWAIT", compositeKeyRows(), [][]any{{1, "x"}},
			"SELECT 1 FROM `db`.`t` WHERE ((`a` = ? AND `b` = ?)) FOR SHARE NOWAIT", []any{1, "x"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			query, args := c.rows.awaitCommittedSQL(c.keys)
			assertSQL(t, query, args, c.want, c.wantArgs)
		})
	}
}

// TestResyncDeleteSQL: the resync first deletes the shadow rows of the batch,
// by the shadow's own key columns.
func TestResyncDeleteSQL(t *testing.T) {
	for _, c := range []struct {
		name     string
		rows     *Rows
		keys     [][]any
		want     string
		wantArgs []any
	}{
		{"single key", singleKeyRows(), [][]any{{1}, {2}, {3}},
			"DELETE FROM `db`.`_t_new` WHERE `id` IN (?,?,?)", []any{1, 2, 3}},
		{"composite renamed key", compositeKeyRows(), [][]any{{1, "x"}, {2, "y"}},
			"DELETE FROM `db`.`_t_new` WHERE ((`a` = ? AND `bb` = ?) OR (`a` = ? AND `bb` = ?))", []any{1, "x", 2, "y"}},
		{"hostile names", hostileRows(), [][]any{{7}},
			"DELETE FROM `my db`.`_t``1_new` WHERE `id``` IN (?)", []any{7}},
	} {
		t.Run(c.name, func(t *testing.T) {
			query, args := c.rows.resyncDeleteSQL(c.keys)
			assertSQL(t, query, args, c.want, c.wantArgs)
		})
	}
}

// TestResyncInsertSQL: the resync then copies the source rows of the batch;
// only a locking resync (not the one under the cut-over's table lock) ends
// with the share-lock clause.
func TestResyncInsertSQL(t *testing.T) {
	for _, c := range []struct {
		name     string
		rows     *Rows
		keys     [][]any
		locking  bool
		want     string
		wantArgs []any
	}{
		{"locking", singleKeyRows(), [][]any{{1}, {2}}, true,
			"INSERT INTO `db`.`_t_new` (`id`, `v`) SELECT `id`, `v` FROM `db`.`t` WHERE `id` IN (?,?) LOCK IN SHARE MODE", []any{1, 2}},
		{"writes blocked, no lock clause", singleKeyRows(), [][]any{{1}, {2}}, false,
			"INSERT INTO `db`.`_t_new` (`id`, `v`) SELECT `id`, `v` FROM `db`.`t` WHERE `id` IN (?,?)", []any{1, 2}},
		{"composite key, NOWAIT", compositeKeyRows(), [][]any{{1, "x"}}, true,
			"INSERT INTO `db`.`_t_new` (`a`, `bb`, `v`) SELECT `a`, `b`, `v` FROM `db`.`t` WHERE ((`a` = ? AND `b` = ?)) FOR SHARE NOWAIT",
			[]any{1, "x"}},
		{"hostile names", hostileRows(), [][]any{{7}}, false,
			"INSERT INTO `my db`.`_t``1_new` (`id```, `välue col`) SELECT `id```, `välue col` FROM `my db`.`t``1` WHERE `id``` IN (?)",
			[]any{7}},
	} {
		t.Run(c.name, func(t *testing.T) {
			query, args := c.rows.resyncInsertSQL(c.keys, c.locking)
			assertSQL(t, query, args, c.want, c.wantArgs)
		})
	}
}

// TestStaleHoldersSQL: a shadow unique index other than the row key is
// joined to the source through the column pairs, excluding the batch's own
// rows; the row key and an index on a column the source does not feed are
// skipped.
func TestStaleHoldersSQL(t *testing.T) {
	for _, c := range []struct {
		name     string
		rows     *Rows
		ix       schema.Index
		keys     [][]any
		want     string
		wantArgs []any
	}{
		{"single key, unique on v", singleKeyRows(), schema.Index{Name: "uk_v", Columns: []string{"v"}}, [][]any{{1}, {2}},
			"SELECT n.`id` FROM `db`.`_t_new` n JOIN `db`.`t` s ON n.`v` = s.`v` WHERE s.`id` IN (?,?) AND NOT n.`id` IN (?,?)",
			[]any{1, 2, 1, 2}},
		{"column matched case-insensitively", singleKeyRows(), schema.Index{Name: "uk_V", Columns: []string{"V"}}, [][]any{{1}},
			"SELECT n.`id` FROM `db`.`_t_new` n JOIN `db`.`t` s ON n.`V` = s.`v` WHERE s.`id` IN (?) AND NOT n.`id` IN (?)",
			[]any{1, 1}},
		{"composite key, renamed column", compositeKeyRows(), schema.Index{Name: "uk_bv", Columns: []string{"bb", "v"}}, [][]any{{1, "x"}},
			"SELECT n.`a`, n.`bb` FROM `db`.`_t_new` n JOIN `db`.`t` s ON n.`bb` = s.`b` AND n.`v` = s.`v` WHERE ((s.`a` = ? AND s.`b` = ?)) AND NOT ((n.`a` = ? AND n.`bb` = ?))",
			[]any{1, "x", 1, "x"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			query, args, ok := c.rows.staleHoldersSQL(c.ix, c.keys)
			if !ok {
				t.Fatal("index skipped")
			}
			assertSQL(t, query, args, c.want, c.wantArgs)
		})
	}
	for _, c := range []struct {
		name string
		ix   schema.Index
	}{
		{"the row key itself", schema.Index{Name: "primary", Columns: []string{"id"}, Primary: true}},
		{"a column not fed from the source", schema.Index{Name: "uk_vw", Columns: []string{"v", "w"}}},
	} {
		t.Run("skips "+c.name, func(t *testing.T) {
			if query, _, ok := singleKeyRows().staleHoldersSQL(c.ix, [][]any{{1}}); ok {
				t.Errorf("want the index skipped, got %s", query)
			}
		})
	}
}
