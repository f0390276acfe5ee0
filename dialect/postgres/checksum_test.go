package postgres

import (
	"context"
	"database/sql"
	"slices"
	"testing"

	"github.com/hotswap/hotswap/checksum"
)

var _ checksum.Snapshot = Snapshot{}

// checksumTestSnapshots exports a snapshot on one connection and imports it
// on two others; the snapshots end with the test.
func checksumTestSnapshots(t *testing.T, r *Rows) []checksum.Snapshot {
	t.Helper()
	ctx := context.Background()
	conns := make([]*sql.Conn, 3)
	for i := range conns {
		c, err := r.DB.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns[i] = c
		t.Cleanup(func() { EndSnapshot(c) })
	}
	id, err := ExportSnapshot(ctx, conns[0])
	if err != nil {
		t.Fatal(err)
	}
	snaps := make([]checksum.Snapshot, 0, 2)
	for _, c := range conns[1:] {
		if err := ImportSnapshot(ctx, c, id); err != nil {
			t.Fatal(err)
		}
		snaps = append(snaps, Snapshot{Rows: r, Conn: c})
	}
	return snaps
}

func checksumTestCompare(t *testing.T, snaps []checksum.Snapshot) []string {
	t.Helper()
	res, err := checksum.Compare(context.Background(), snaps, 7, 100)
	if err != nil {
		t.Fatal(err)
	}
	if res.Chunks < 5 {
		t.Fatalf("%d chunks: the test means to cover several", res.Chunks)
	}
	return rowsTestKeys(res.Diffs)
}

// TestChecksumSnapshot: an identical copy through INT to BIGINT, numeric
// rounding and VARCHAR to TEXT changes compares equal; a changed value, a
// NULL, a missing row and an extra row are found; changes made after the
// export are not seen.
func TestChecksumSnapshot(t *testing.T) {
	_, db, _ := appDB(t,
		"CREATE TABLE src (id int PRIMARY KEY, v int, n numeric(10,3), s varchar(20), j json)",
		`INSERT INTO src SELECT g, g * 2, g / 3.0, 'Row ' || g, json_build_object('g', g)
			FROM generate_series(1, 60) g`,
		"CREATE TABLE src_new (id bigint PRIMARY KEY, v bigint, n numeric(10,1), s text, j json, extra int)",
	)
	r := rowsTestRows(t, db, "src", "src_new", "id")
	rowsTestCopyAll(t, r, 25)
	if diffs := checksumTestCompare(t, checksumTestSnapshots(t, r)); len(diffs) != 0 {
		t.Fatalf("identical copy: diffs %v", diffs)
	}
	rowsTestExec(t, db,
		"UPDATE src_new SET v = -1 WHERE id = 3",
		"UPDATE src_new SET n = NULL WHERE id = 7",
		"UPDATE src_new SET s = 'row 9' WHERE id = 9", // a case change is a difference
		"DELETE FROM src_new WHERE id = 4",
		"INSERT INTO src_new (id, v) VALUES (10000, 1)",
	)
	snaps := checksumTestSnapshots(t, r)
	rowsTestExec(t, db, // after the export: invisible to the snapshots
		"UPDATE src SET v = 0 WHERE id = 5",
		"DELETE FROM src_new WHERE id = 6",
		"UPDATE src_new SET v = 6 WHERE id = 3",
	)
	want := []string{"[10000]", "[3]", "[4]", "[7]", "[9]"}
	if diffs := checksumTestCompare(t, snaps); !slices.Equal(diffs, want) {
		t.Fatalf("diffs %v, want %v", diffs, want)
	}
	if diffs, err := snaps[1].Diff(context.Background(), []any{int64(3)}, []any{int64(7)}, 2); err != nil || len(diffs) != 2 {
		t.Fatalf("diff (3..7] with limit 2 = %v, %v; want 2 keys (4 and 7)", diffs, err)
	}
}

// TestChecksumSnapshotCompositeTextKey: a text key range on both sides, a
// json column compared by its text.
func TestChecksumSnapshotCompositeTextKey(t *testing.T) {
	_, db, _ := appDB(t,
		"CREATE TABLE comp (a int, b text, j json, PRIMARY KEY (a, b))",
		`INSERT INTO comp SELECT a, b, json_build_object('b', b)
			FROM generate_series(1, 10) a, unnest(ARRAY['x', 'Y', 'é', '']) b`,
		"CREATE TABLE comp_new (a bigint, b text, j json, PRIMARY KEY (a, b))",
	)
	r := rowsTestRows(t, db, "comp", "comp_new", "a", "b")
	rowsTestCopyAll(t, r, 6)
	rowsTestExec(t, db, `UPDATE comp_new SET j = '{"b":"x"}' WHERE a = 2 AND b = 'x'`) // same JSON, other text
	want := []string{"[2 x]"}
	if diffs := checksumTestCompare(t, checksumTestSnapshots(t, r)); !slices.Equal(diffs, want) {
		t.Fatalf("diffs %v, want %v", diffs, want)
	}
}

// TestChecksumDiffKeys: comparing keys one by one finds exactly the listed
// keys whose rows differ (changed, missing from the shadow, extra in it),
// and none of the differing rows it was not asked about.
func TestChecksumDiffKeys(t *testing.T) {
	_, db, _ := appDB(t,
		"CREATE TABLE src (id int PRIMARY KEY, v int, s varchar(20))",
		"INSERT INTO src SELECT g, g * 2, 'Row ' || g FROM generate_series(1, 40) g",
		"CREATE TABLE src_new (id bigint PRIMARY KEY, v bigint, s text)",
	)
	r := rowsTestRows(t, db, "src", "src_new", "id")
	rowsTestCopyAll(t, r, 25)
	rowsTestExec(t, db,
		"UPDATE src_new SET v = -1 WHERE id IN (3, 13)",
		"DELETE FROM src_new WHERE id IN (4, 14)",
		"INSERT INTO src_new (id, v) VALUES (1000, 1), (1001, 1)",
	)
	snap := checksumTestSnapshots(t, r)[0]
	asked := [][]any{{int64(1)}, {int64(3)}, {int64(4)}, {int64(1000)}, {int64(2000)}, {int64(3)}}
	diffs, err := snap.DiffKeys(context.Background(), asked, 100)
	if err != nil {
		t.Fatal(err)
	}
	got := rowsTestKeys(diffs)
	if want := []string{"[1000]", "[3]", "[4]"}; !slices.Equal(got, want) {
		t.Fatalf("diffs %v, want %v", got, want)
	}
	if diffs, err := snap.DiffKeys(context.Background(), asked, 1); err != nil || len(diffs) != 1 {
		t.Fatalf("limit 1: %v, %v; want one key", diffs, err)
	}
}
