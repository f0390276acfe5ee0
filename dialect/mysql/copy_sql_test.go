package mysql

import "testing"

// TestCopyRangeSQL: a chunk is one INSERT IGNORE ... SELECT of the source
// rows lo < key <= hi on the key's index, source columns feeding their
// shadow columns in pair order.
func TestCopyRangeSQL(t *testing.T) {
	for _, c := range []struct {
		name     string
		rows     *Rows
		lo, hi   []any
		want     string
		wantArgs []any
	}{
		{"whole table", singleKeyRows(), nil, nil,
			"INSERT IGNORE INTO `db`.`_t_new` (`id`, `v`) SELECT `id`, `v` FROM `db`.`t` FORCE INDEX (`PRIMARY`) WHERE 1=1", nil},
		{"closed range", singleKeyRows(), []any{10}, []any{20},
			"INSERT IGNORE INTO `db`.`_t_new` (`id`, `v`) SELECT `id`, `v` FROM `db`.`t` FORCE INDEX (`PRIMARY`) WHERE 1=1 AND ((`id` > ?)) AND ((`id` <= ?))",
			[]any{10, 20}},
		{"composite key, last chunk", compositeKeyRows(), []any{1, "x"}, nil,
			"INSERT IGNORE INTO `db`.`_t_new` (`a`, `bb`, `v`) SELECT `a`, `b`, `v` FROM `db`.`t` FORCE INDEX (`uk_ab`) WHERE 1=1 AND ((`a` > ?) OR (`a` = ? AND `b` > ?))",
			[]any{1, 1, "x"}},
		{"hostile names, first chunk", hostileRows(), nil, []any{7},
			"INSERT IGNORE INTO `my db`.`_t``1_new` (`id```, `välue col`) SELECT `id```, `välue col` FROM `my db`.`t``1` FORCE INDEX (`pk``x`) WHERE 1=1 AND ((`id``` <= ?))",
			[]any{7}},
	} {
		t.Run(c.name, func(t *testing.T) {
			query, args := c.rows.copyRangeSQL(c.lo, c.hi)
			assertSQL(t, query, args, c.want, c.wantArgs)
		})
	}
}

// TestMissingKeysSQL: the keys of the range without a shadow row are found by
// an anti-join on the source and shadow key columns, matched by position.
func TestMissingKeysSQL(t *testing.T) {
	for _, c := range []struct {
		name     string
		rows     *Rows
		lo, hi   []any
		want     string
		wantArgs []any
	}{
		{"single key, closed range", singleKeyRows(), []any{10}, []any{20},
			"SELECT s.`id` FROM `db`.`t` s LEFT JOIN `db`.`_t_new` n ON s.`id` = n.`id` WHERE 1=1 AND ((s.`id` > ?)) AND ((s.`id` <= ?)) AND n.`id` IS NULL",
			[]any{10, 20}},
		{"composite renamed key, open above", compositeKeyRows(), []any{1, "x"}, nil,
			"SELECT s.`a`, s.`b` FROM `db`.`t` s LEFT JOIN `db`.`_t_new` n ON s.`a` = n.`a` AND s.`b` = n.`bb` WHERE 1=1 AND ((s.`a` > ?) OR (s.`a` = ? AND s.`b` > ?)) AND n.`a` IS NULL",
			[]any{1, 1, "x"}},
		{"hostile names, whole table", hostileRows(), nil, nil,
			"SELECT s.`id``` FROM `my db`.`t``1` s LEFT JOIN `my db`.`_t``1_new` n ON s.`id``` = n.`id``` WHERE 1=1 AND n.`id``` IS NULL", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			query, args := c.rows.missingKeysSQL(c.lo, c.hi)
			assertSQL(t, query, args, c.want, c.wantArgs)
		})
	}
}
