package mysql_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/hotswap/hotswap/checksum"
	"github.com/hotswap/hotswap/dialect/mysql"
)

var _ checksum.Snapshot = mysql.Snapshot{}

// TestChecksumDiffKeys: comparing keys one by one finds exactly the listed
// keys whose rows differ (changed, missing from the shadow, extra in it),
// and none of the differing rows it was not asked about.
func TestChecksumDiffKeys(t *testing.T) {
	rows, admin := rowsFor(t, "",
		`INSERT INTO t (id, u, v) WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s WHERE x < 40) SELECT x, x, x FROM s`)
	ctx := context.Background()
	if _, _, err := rows.CopyRange(ctx, nil, nil); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"UPDATE _t_new SET v = -1 WHERE id IN (3, 13)",
		"DELETE FROM _t_new WHERE id IN (4, 14)",
		"INSERT INTO _t_new (id, u, v) VALUES (1000, 1000, 1), (1001, 1001, 1)",
	} {
		if _, err := admin.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	c, err := rows.DB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := mysql.StartSnapshot(ctx, c); err != nil {
		t.Fatal(err)
	}
	defer mysql.EndSnapshot(c)
	snap := mysql.Snapshot{Rows: rows, Conn: c}
	asked := [][]any{key(1), key(3), key(4), key(1000), key(2000), key(3)}
	diffs, err := snap.DiffKeys(ctx, asked, 100)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range diffs {
		got = append(got, fmt.Sprint(d))
	}
	slices.Sort(got)
	if want := []string{"[1000]", "[3]", "[4]"}; !slices.Equal(got, want) {
		t.Fatalf("diffs %v, want %v", got, want)
	}
	if diffs, err := snap.DiffKeys(ctx, asked, 1); err != nil || len(diffs) != 1 {
		t.Fatalf("limit 1: %v, %v; want one key", diffs, err)
	}
}
