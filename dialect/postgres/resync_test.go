package postgres

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hotswap/hotswap/applier"
)

var (
	_ applier.ResyncFunc  = (*Rows)(nil).ResyncTx
	_ applier.Conflicting = (*DuplicateError)(nil)
	_ applier.Busy        = resyncBusyError{}
)

// TestResyncMirrorsSource: updated, deleted, inserted and re-keyed source
// rows reach the shadow; a batch may mix keys present and absent. The
// shadow's key is an identity column GENERATED ALWAYS: the source's values go
// in all the same.
func TestResyncMirrorsSource(t *testing.T) {
	_, db, _ := appDB(t,
		"CREATE TABLE src (id int PRIMARY KEY, v text, n int)",
		"INSERT INTO src SELECT g, 'v' || g, g FROM generate_series(1, 100) g",
		"CREATE TABLE src_new (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text, n bigint, note text)",
	)
	r := rowsTestRows(t, db, "src", "src_new", "id")
	rowsTestCopyAll(t, r, 30)
	rowsTestExec(t, db,
		"UPDATE src SET v = 'changed', n = NULL WHERE id = 5",
		"DELETE FROM src WHERE id = 6",
		"INSERT INTO src VALUES (2000, 'new', 1)",
		"UPDATE src SET id = 3000 WHERE id = 7",
	)
	keys := [][]any{{int64(5)}, {int64(6)}, {int64(2000)}, {int64(7)}, {int64(3000)}, {int64(4000)}}
	if err := r.ResyncTx(context.Background(), keys); err != nil {
		t.Fatal(err)
	}
	rowsTestSame(t, r)
}

// TestResyncKeyValueShapes: keys as database/sql scans them (time.Time) and
// as the stream gives them (PostgreSQL's text) both select the right rows.
func TestResyncKeyValueShapes(t *testing.T) {
	_, db, _ := appDB(t,
		"CREATE TABLE ev (at timestamptz, id uuid, n numeric, v int, PRIMARY KEY (at, id, n))",
		`INSERT INTO ev VALUES ('2024-01-01 00:00:00.5+00', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 1.50, 1),
			('2024-01-01 00:00:01+00', 'b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 2, 2)`,
		"CREATE TABLE ev_new (at timestamptz, id uuid, n numeric, v bigint, PRIMARY KEY (at, id, n))",
	)
	r := rowsTestRows(t, db, "ev", "ev_new", "at", "id", "n")
	rowsTestCopyAll(t, r, 10)
	rowsTestExec(t, db, "UPDATE ev SET v = v + 10")
	scanned := []any{time.Date(2024, 1, 1, 0, 0, 0, 5e8, time.UTC), "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "1.50"}
	streamed := []any{"2024-01-01 01:00:01+01", "b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "2"}
	if err := r.ResyncTx(context.Background(), [][]any{scanned, streamed}); err != nil {
		t.Fatal(err)
	}
	rowsTestSame(t, r)
}

// TestResyncStaleUnique: two rows swapped a unique value; a batch with only
// one of them meets the other's stale shadow row, named in DuplicateError;
// both together resync.
func TestResyncStaleUnique(t *testing.T) {
	_, db, _ := appDB(t,
		"CREATE TABLE src (id int PRIMARY KEY, u int UNIQUE, v text)",
		"INSERT INTO src VALUES (1, 10, 'a'), (2, 20, 'b'), (3, 30, 'c')",
		"CREATE TABLE src_new (id bigint PRIMARY KEY, u int UNIQUE, v text, extra int)",
	)
	r := rowsTestRows(t, db, "src", "src_new", "id")
	rowsTestCopyAll(t, r, 2)
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
	var c applier.Conflicting
	if !errors.As(err, &c) || !slices.Equal(rowsTestKeys(c.ConflictingKeys()), []string{"[1]"}) {
		t.Fatalf("resync of key 2 = %v; want a DuplicateError naming key 1", err)
	}
	t.Logf("stale row: %v", err)
	if !strings.Contains(err.Error(), "src_new_u_key") {
		t.Errorf("error %q does not name the unique index", err)
	}
	if err := r.ResyncTx(ctx, [][]any{{int64(2)}, {int64(1)}}); err != nil {
		t.Fatal(err)
	}
	rowsTestSame(t, r)
}

// TestResyncRealDuplicate: the shadow adds a UNIQUE the source violates. The
// copy skips the second row and reports it; its resync names the first row
// (it could be stale); with both in the batch nothing is stale, and the error
// names the constraint and the value.
func TestResyncRealDuplicate(t *testing.T) {
	_, db, _ := appDB(t,
		"CREATE TABLE src (id int PRIMARY KEY, v int)",
		"INSERT INTO src VALUES (1, 7), (2, 7), (3, 8)",
		"CREATE TABLE src_new (id int PRIMARY KEY, v int, CONSTRAINT src_new_v_key UNIQUE (v))",
	)
	r := rowsTestRows(t, db, "src", "src_new", "id")
	ctx := context.Background()
	n, missing, err := r.CopyRange(ctx, nil, nil)
	if err != nil || n != 2 || !slices.Equal(rowsTestKeys(missing), []string{"[2]"}) {
		t.Fatalf("copy = %d rows, missing %v, %v; want 2 rows, missing [2]", n, missing, err)
	}
	err = r.ResyncTx(ctx, missing)
	var dup *DuplicateError
	if !errors.As(err, &dup) || !slices.Equal(rowsTestKeys(dup.Conflicts), []string{"[1]"}) {
		t.Fatalf("resync of key 2 = %v; want a DuplicateError naming key 1", err)
	}
	err = r.ResyncTx(ctx, [][]any{{int64(2)}, {int64(1)}})
	if !errors.As(err, &dup) || len(dup.Conflicts) != 0 {
		t.Fatalf("resync of keys 1, 2 = %v; want a DuplicateError without conflicts", err)
	}
	t.Logf("real duplicate: %v", err)
	for _, want := range []string{"src_new_v_key", "(v)=(7)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}

// TestResyncLeavesTransactionUsable: after a failed Resync the caller's
// transaction goes on, as the cut-over needs (it holds its lock in it).
func TestResyncLeavesTransactionUsable(t *testing.T) {
	_, db, _ := appDB(t,
		"CREATE TABLE src (id int PRIMARY KEY, v int)",
		"INSERT INTO src VALUES (1, 7), (2, 7)",
		"CREATE TABLE src_new (id int PRIMARY KEY, v int UNIQUE)",
	)
	r := rowsTestRows(t, db, "src", "src_new", "id")
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	if err := r.Resync(ctx, tx, [][]any{{int64(1)}, {int64(2)}}); err == nil {
		t.Fatal("resync of a real duplicate succeeded")
	}
	if err := r.Resync(ctx, tx, [][]any{{int64(1)}}); err != nil {
		t.Fatalf("resync after a failed one in the same transaction: %v", err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := rowsTestDump(t, r, "src_new"); !slices.Equal(got, []string{"1|7"}) {
		t.Fatalf("shadow = %q, want [1|7]", got)
	}
}
