package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hotswap/hotswap/applier"
	"github.com/hotswap/hotswap/internal/testdb"
	"github.com/hotswap/hotswap/schema"
)

// keepFixture is a revert window in small: t has the new schema (v widened
// to text, x dropped, w added), old the old one with x NOT NULL DEFAULT 7
// and a GENERATED ALWAYS identity key; both hold rows 1..4, old with x = 10*id.
var keepFixture = []string{
	"CREATE TABLE old (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v varchar(5), x int NOT NULL DEFAULT 7, u int UNIQUE, n smallint)",
	"INSERT INTO old (v, x, u, n) OVERRIDING SYSTEM VALUE SELECT 'v' || g, 10 * g, g, g FROM generate_series(1, 4) g",
	"CREATE TABLE t (id int PRIMARY KEY, v text, u int UNIQUE, n int, w int DEFAULT 1)",
	"INSERT INTO t (id, v, u, n) SELECT id, v, u, n FROM old",
}

// keepRows is the reverse Rows: t -> old, keeping x.
func keepRows(t *testing.T, setup ...string) *Rows {
	t.Helper()
	_, db, _ := appDB(t, append(slices.Clone(keepFixture), setup...)...)
	pairs := []schema.ColumnPair{{Source: "id", Target: "id"}, {Source: "v", Target: "v"}, {Source: "u", Target: "u"}, {Source: "n", Target: "n"}}
	return &Rows{DB: db, Schema: "public", Source: "t", Shadow: "old", Pairs: pairs, KeyColumns: []string{"id"},
		SrcTypes: rowsTestTypes(t, db, "t"), DstTypes: rowsTestTypes(t, db, "old"), Keep: []string{"x"}}
}

func keepDump(t *testing.T, r *Rows) []string {
	t.Helper()
	return testdb.Strings(t, r.DB, "SELECT concat_ws('|', id, v, x, u, n) FROM old ORDER BY id")
}

func keepResync(t *testing.T, r *Rows, ids ...int64) error {
	t.Helper()
	keys := make([][]any, len(ids))
	for i, id := range ids {
		keys[i] = []any{id}
	}
	return r.ResyncTx(context.Background(), keys)
}

// TestResyncKeepsDroppedColumn: an updated row keeps its x, an inserted one
// gets x's default, a deleted one goes, a moved key is a row deleted and one
// inserted (the new key gets the default: nothing ties it to the old one).
// The identity key GENERATED ALWAYS takes the table's values.
func TestResyncKeepsDroppedColumn(t *testing.T) {
	r := keepRows(t,
		"UPDATE t SET v = 'new1', n = 100 WHERE id = 1",
		"INSERT INTO t (id, v, u, n) VALUES (5, 'v5', 5, 5)",
		"DELETE FROM t WHERE id = 2",
		"UPDATE t SET id = 30 WHERE id = 3",
	)
	if err := keepResync(t, r, 1, 5, 2, 3, 30, 99); err != nil {
		t.Fatal(err)
	}
	want := []string{"1|new1|10|1|100", "4|v4|40|4|4", "5|v5|7|5|5", "30|v3|7|3|3"}
	if got := keepDump(t, r); !slices.Equal(got, want) {
		t.Fatalf("old = %q, want %q", got, want)
	}
}

// TestResyncKeepSwappedUnique: two rows of one batch swapped a unique value;
// both go back with their own kept values, whichever the plan deletes first.
// Many rows make a hash join likely, few a nested loop: both are tried.
func TestResyncKeepSwappedUnique(t *testing.T) {
	for _, rows := range []int{4, 2000} {
		t.Run(fmt.Sprint(rows), func(t *testing.T) {
			r := keepRows(t,
				fmt.Sprintf("INSERT INTO old (v, x, u, n) OVERRIDING SYSTEM VALUE SELECT 'v', g, g, 1 FROM generate_series(5, %d) g", rows),
				fmt.Sprintf("INSERT INTO t (id, v, u, n) SELECT g, 'v', g, 1 FROM generate_series(5, %d) g", rows),
				"ANALYZE old", "ANALYZE t",
				"UPDATE t SET u = -1 WHERE id = 1", "UPDATE t SET u = 1 WHERE id = 2", "UPDATE t SET u = 2 WHERE id = 1",
			)
			ids := []int64{2, 1}
			for id := int64(5); id <= int64(rows); id++ {
				ids = append(ids, id)
			}
			if err := keepResync(t, r, ids...); err != nil {
				t.Fatal(err)
			}
			got := keepDump(t, r)[:4]
			want := []string{"1|v1|10|2|1", "2|v2|20|1|2", "3|v3|30|3|3", "4|v4|40|4|4"}
			if !slices.Equal(got, want) {
				t.Fatalf("old = %q, want %q", got, want)
			}
		})
	}
}

// TestResyncKeepStaleHolder: a row outside the batch holds the unique value
// a row of the batch takes: DuplicateError names it, and the two together
// resync, each keeping its x.
func TestResyncKeepStaleHolder(t *testing.T) {
	r := keepRows(t, "UPDATE t SET u = -4 WHERE id = 4", "UPDATE t SET u = 4 WHERE id = 1")
	err := keepResync(t, r, 1)
	var c applier.Conflicting
	if !errors.As(err, &c) || !slices.Equal(rowsTestKeys(c.ConflictingKeys()), []string{"[4]"}) {
		t.Fatalf("resync of key 1 = %v; want a DuplicateError naming key 4", err)
	}
	if err := keepResync(t, r, 1, 4); err != nil {
		t.Fatal(err)
	}
	want := []string{"1|v1|10|4|1", "2|v2|20|2|2", "3|v3|30|3|3", "4|v4|40|-4|4"}
	if got := keepDump(t, r); !slices.Equal(got, want) {
		t.Fatalf("old = %q, want %q", got, want)
	}
}

// TestResyncKeepValueDoesNotFit: a value the old column cannot hold fails
// the resync with an error naming the key and the column, and changes
// nothing; with no kept columns the plain resync names them too.
func TestResyncKeepValueDoesNotFit(t *testing.T) {
	for _, c := range []struct {
		name, update, column string
		keep                 []string
	}{
		{"too long", "UPDATE t SET v = 'toolong' WHERE id = 3", "v", []string{"x"}},
		{"out of range", "UPDATE t SET n = 100000 WHERE id = 3", "n", []string{"x"}},
		{"no kept columns", "UPDATE t SET n = 100000 WHERE id = 3", "n", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := keepRows(t, c.update, "UPDATE t SET v = 'ok' WHERE id = 2")
			r.Keep = c.keep
			before := keepDump(t, r)
			err := keepResync(t, r, 1, 2, 3, 4)
			var verr *ValueError
			if !errors.As(err, &verr) || verr.Column != c.column || fmt.Sprint(verr.Key) != "[3]" {
				t.Fatalf("resync = %v; want a ValueError naming key [3] and column %s", err, c.column)
			}
			t.Logf("error: %v", err)
			if !strings.Contains(err.Error(), "key [3]") || !strings.Contains(err.Error(), "column "+c.column) {
				t.Errorf("error %q does not name the key and the column", err)
			}
			if got := keepDump(t, r); !slices.Equal(got, before) {
				t.Fatalf("old changed by a failed resync: %q, was %q", got, before)
			}
		})
	}
}

// TestResyncKeepUnderCutOverTransaction: the resync runs on a connection in
// a transaction (the cut-over's); after a failure the transaction is usable.
func TestResyncKeepUnderCutOverTransaction(t *testing.T) {
	r := keepRows(t, "UPDATE t SET v = 'toolong' WHERE id = 3", "UPDATE t SET v = 'b' WHERE id = 2")
	ctx := context.Background()
	tx, err := r.DB.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if err := r.Resync(ctx, tx, [][]any{{int64(3)}}); err == nil {
		t.Fatal("resync of a value too long succeeded")
	}
	if err := r.Resync(ctx, tx, [][]any{{int64(2)}}); err != nil {
		t.Fatalf("resync after a failed one in the same transaction: %v", err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := keepDump(t, r)[1]; got != "2|b|20|2|2" {
		t.Fatalf("row 2 = %q", got)
	}
}
