package postgres

import (
	"context"
	"errors"
	"slices"
	"testing"
)

// TestUsingCopyResyncChecksum: a USING expression over other columns of the
// row (one named like a column of the shadow, to catch an ambiguous name in
// the checksum's join) is applied by the copy and the resync, and the
// checksum compares the converted source value with the shadow's: equal after
// the copy, a changed shadow value or one left unconverted is found.
func TestUsingCopyResyncChecksum(t *testing.T) {
	_, db, _ := appDB(t,
		"CREATE TABLE src (id int PRIMARY KEY, v text, i int)",
		"INSERT INTO src SELECT g, 'v' || g, g % 5 FROM generate_series(1, 60) g",
		"CREATE TABLE src_new (id int PRIMARY KEY, v integer, i int)",
	)
	r := rowsTestRows(t, db, "src", "src_new", "id")
	r.Using = map[string]string{"v": "length(v) * 10 + i -- a comment"}
	rowsTestCopyAll(t, r, 25)
	if got := rowsTestDump(t, r, "src_new")[11]; got != "12|32|2" { // id 12: length('v12') * 10 + 2
		t.Fatalf("row 12 copied as %q", got)
	}
	if diffs := checksumTestCompare(t, checksumTestSnapshots(t, r)); len(diffs) != 0 {
		t.Fatalf("a copy through USING: diffs %v", diffs)
	}
	rowsTestExec(t, db, "UPDATE src SET v = 'long value', i = 0 WHERE id = 5")
	if err := r.ResyncTx(context.Background(), [][]any{{int64(5)}}); err != nil {
		t.Fatal(err)
	}
	if diffs := checksumTestCompare(t, checksumTestSnapshots(t, r)); len(diffs) != 0 {
		t.Fatalf("after a resync through USING: diffs %v", diffs)
	}
	rowsTestExec(t, db,
		"UPDATE src_new SET v = v + 1 WHERE id = 3",
		"UPDATE src_new SET v = NULL WHERE id = 8",
	)
	want := []string{"[3]", "[8]"}
	if diffs := checksumTestCompare(t, checksumTestSnapshots(t, r)); !slices.Equal(diffs, want) {
		t.Fatalf("diffs %v, want %v", diffs, want)
	}
}

// TestShadowNamesRewrite: the table's names where the ALTER refers to an
// existing index or index-backed constraint become the shadow's; new names,
// strings, comments and other clauses stay.
func TestShadowNamesRewrite(t *testing.T) {
	n := shadowNames{table: "t", shadow: "_t_new",
		indexes:     map[string]string{"orders_pk": "_t_new_pkey1", "t_pkey": "_t_new_pkey", "t_u_key": "_t_new_u_key", "T_Idx": "_t_new_T_Idx_idx"},
		constraints: map[string]string{"orders_pk": "_t_new_pkey1", "t_pkey": "_t_new_pkey", "t_u_key": "_t_new_u_key"},
	}
	for _, c := range []struct{ in, want string }{
		{"DROP CONSTRAINT t_pkey, ADD PRIMARY KEY (id, i)", `DROP CONSTRAINT "_t_new_pkey", ADD PRIMARY KEY (id, i)`},
		{"drop constraint if exists T_U_KEY", `drop constraint if exists "_t_new_u_key"`},
		{`REPLICA IDENTITY USING INDEX "T_Idx"`, `REPLICA IDENTITY USING INDEX "_t_new_T_Idx_idx"`},
		{"REPLICA IDENTITY USING INDEX T_Idx", "REPLICA IDENTITY USING INDEX T_Idx"}, // folds to t_idx: no such index
		{"CLUSTER ON t_u_key", `CLUSTER ON "_t_new_u_key"`},
		{"ALTER CONSTRAINT t_u_key DEFERRABLE, VALIDATE CONSTRAINT t_pkey", `ALTER CONSTRAINT "_t_new_u_key" DEFERRABLE, VALIDATE CONSTRAINT "_t_new_pkey"`},
		{"ADD CONSTRAINT t_pkey2 PRIMARY KEY USING INDEX t_u_key", `ADD CONSTRAINT t_pkey2 PRIMARY KEY USING INDEX "_t_new_u_key"`},
		{"DROP CONSTRAINT t_u_key, ADD CONSTRAINT t_u_key UNIQUE (u, v)", `DROP CONSTRAINT "_t_new_u_key", ADD CONSTRAINT "_t_new_u_key" UNIQUE (u, v)`},
		{"DROP CONSTRAINT t_pkey, ADD CONSTRAINT \"t_pkey\" PRIMARY KEY (id, i)", `DROP CONSTRAINT "_t_new_pkey", ADD CONSTRAINT "_t_new_pkey" PRIMARY KEY (id, i)`},
		{"DROP CONSTRAINT orders_pk, ADD CONSTRAINT orders_pk PRIMARY KEY (id, i)", `DROP CONSTRAINT "_t_new_pkey1", ADD CONSTRAINT "_t_new_pkey1" PRIMARY KEY (id, i)`},
		{"ADD CONSTRAINT t_u2_key UNIQUE (u)", "ADD CONSTRAINT t_u2_key UNIQUE (u)"},     // a new name
		{"ADD CONSTRAINT t_u_key CHECK (u > 0)", "ADD CONSTRAINT t_u_key CHECK (u > 0)"}, // no index: per table
		{"ADD CONSTRAINT T_Idx UNIQUE (u)", "ADD CONSTRAINT T_Idx UNIQUE (u)"},           // t_idx: no such index
		{"ADD CONSTRAINT t_u_key UNIQUE (u, v)", "ADD CONSTRAINT t_u_key UNIQUE (u, v)"}, // not dropped: fails as on the table
		{"DROP CONSTRAINT t_idx", "DROP CONSTRAINT t_idx"},                               // an index backing no constraint
		{"ALTER COLUMN v TYPE int USING length(t.v) + \"t\" . i + x.t.v + t, ADD COLUMN t int DEFAULT t.v", "ALTER COLUMN v TYPE int USING length(v) +   i + x.t.v + t, ADD COLUMN t int DEFAULT t.v"},
		{"ALTER COLUMN v SET DEFAULT 'DROP CONSTRAINT t_pkey' /* DROP CONSTRAINT t_pkey */", "ALTER COLUMN v SET DEFAULT 'DROP CONSTRAINT t_pkey' /* DROP CONSTRAINT t_pkey */"},
	} {
		if got := n.rewrite(c.in); got != c.want {
			t.Errorf("rewrite(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestUsingStaleUnique: two rows swapped a value of a column converted by
// USING that the shadow keeps unique; a batch with only one of them meets
// the other's stale shadow row, found through the converted value, and both
// together resync to what the checksum calls equal.
func TestUsingStaleUnique(t *testing.T) {
	_, db, _ := appDB(t,
		"CREATE TABLE src (id int PRIMARY KEY, u int UNIQUE, v text)",
		"INSERT INTO src SELECT g, g * 10, 'v' || g FROM generate_series(1, 30) g",
		"CREATE TABLE src_new (id int PRIMARY KEY, u text UNIQUE, v text)",
	)
	r := rowsTestRows(t, db, "src", "src_new", "id")
	r.Using = map[string]string{"u": "'#' || u"}
	rowsTestCopyAll(t, r, 7)
	ctx := context.Background()
	swap, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	rowsTestExec(t, swap,
		"UPDATE src SET u = -1 WHERE id = 1", "UPDATE src SET u = 10 WHERE id = 2", "UPDATE src SET u = 20 WHERE id = 1")
	if err := swap.Commit(); err != nil {
		t.Fatal(err)
	}
	err = r.ResyncTx(ctx, [][]any{{int64(2)}})
	var dup *DuplicateError
	if !errors.As(err, &dup) || !slices.Equal(rowsTestKeys(dup.Conflicts), []string{"[1]"}) {
		t.Fatalf("resync of key 2 = %v; want a DuplicateError naming key 1", err)
	}
	if err := r.ResyncTx(ctx, [][]any{{int64(2)}, {int64(1)}}); err != nil {
		t.Fatal(err)
	}
	if diffs := checksumTestCompare(t, checksumTestSnapshots(t, r)); len(diffs) != 0 {
		t.Fatalf("after the resync: diffs %v", diffs)
	}
}
