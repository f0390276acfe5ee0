package postgres

import (
	"context"
	"slices"
	"testing"

	"github.com/hotswap/hotswap/schema"
)

// TestRowsRenamedKey: the ALTER renamed the key column; copy, resync and
// checksum address each table by its own name for it.
func TestRowsRenamedKey(t *testing.T) {
	_, db, _ := appDB(t,
		"CREATE TABLE src (id int PRIMARY KEY, v int)",
		"INSERT INTO src SELECT g, g FROM generate_series(1, 40) g",
		"CREATE TABLE src_new (ident bigint PRIMARY KEY, v int)",
	)
	r := &Rows{DB: db, Schema: "public", Source: "src", Shadow: "src_new",
		Pairs:      []schema.ColumnPair{{Source: "id", Target: "ident"}, {Source: "v", Target: "v"}},
		KeyColumns: []string{"id"}, DstKeyColumns: []string{"ident"},
		SrcTypes: rowsTestTypes(t, db, "src"), DstTypes: rowsTestTypes(t, db, "src_new")}
	rowsTestCopyAll(t, r, 9)
	rowsTestSame(t, r)
	rowsTestExec(t, db, "UPDATE src SET v = 0 WHERE id = 3", "DELETE FROM src WHERE id = 4")
	diffs := checksumTestCompare(t, checksumTestSnapshots(t, r))
	if want := []string{"[3]", "[4]"}; !slices.Equal(diffs, want) {
		t.Fatalf("diffs %v, want %v", diffs, want)
	}
	if err := r.ResyncTx(context.Background(), [][]any{{int64(3)}, {int64(4)}}); err != nil {
		t.Fatal(err)
	}
	rowsTestSame(t, r)
}
