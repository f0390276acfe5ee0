package postgres

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/hotswap/hotswap/applier"
)

// rowsTestWaitBlocked waits until a session of this database waits on a lock
// while running a statement starting with prefix.
func rowsTestWaitBlocked(t *testing.T, admin *sql.DB, prefix string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var n int
		err := admin.QueryRow(`SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE $1 || '%'`, prefix).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("no session blocked in %q", prefix)
}

// TestResyncWaitsForCopyInFlight: a chunk read row 1 before its delete and
// has inserted it, uncommitted, when the resync for the delete runs. A DELETE
// does not see (nor wait for) that row: without waiting for the chunk the
// resync would delete nothing, and the chunk's commit would bring the deleted
// row back for good.
func TestResyncWaitsForCopyInFlight(t *testing.T) {
	_, db, admin := appDB(t,
		"CREATE TABLE src (id int PRIMARY KEY, v int)",
		"INSERT INTO src SELECT g, g FROM generate_series(1, 5) g",
		"CREATE TABLE src_new (id int PRIMARY KEY, v int)",
	)
	r := rowsTestRows(t, db, "src", "src_new", "id")
	ctx := context.Background()
	// Another writer's uncommitted shadow row 3 stalls the chunk on its key
	// index after it inserted rows 1 and 2.
	hold, err := admin.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = hold.Rollback() }()
	rowsTestExec(t, hold, "INSERT INTO src_new VALUES (3, -1)")
	copyDone := make(chan time.Time, 1)
	go func() {
		if _, _, err := r.CopyRange(ctx, nil, nil); err != nil {
			t.Errorf("copy: %v", err)
		}
		copyDone <- time.Now()
	}()
	rowsTestWaitBlocked(t, admin, "INSERT INTO")
	rowsTestExec(t, db, "DELETE FROM src WHERE id = 1")
	resyncDone := make(chan time.Time, 1)
	go func() {
		if err := r.ResyncTx(ctx, [][]any{{int64(1)}}); err != nil {
			t.Errorf("resync: %v", err)
		}
		resyncDone <- time.Now()
	}()
	select {
	case <-resyncDone:
		t.Fatal("the resync did not wait for the chunk in flight")
	case <-time.After(300 * time.Millisecond):
	}
	if err := hold.Rollback(); err != nil {
		t.Fatal(err)
	}
	copied, resynced := <-copyDone, <-resyncDone
	if resynced.Before(copied) {
		t.Fatal("the resync ended before the chunk")
	}
	rowsTestSame(t, r)
}

// TestResyncKeyRaceIsBusy: a key of the batch inserted into the shadow under
// the resync (by a chunk that started after it) is a retryable error, not a
// duplicate; the retry succeeds.
func TestResyncKeyRaceIsBusy(t *testing.T) {
	_, db, admin := appDB(t,
		"CREATE TABLE src (id int PRIMARY KEY, v int)",
		"INSERT INTO src VALUES (1, 10)",
		"CREATE TABLE src_new (id int PRIMARY KEY, v int UNIQUE)",
	)
	r := rowsTestRows(t, db, "src", "src_new", "id")
	ctx := context.Background()
	racer, err := admin.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = racer.Rollback() }()
	rowsTestExec(t, racer, "INSERT INTO src_new VALUES (1, 5)")
	done := make(chan error, 1)
	go func() { done <- r.ResyncTx(ctx, [][]any{{int64(1)}}) }()
	rowsTestWaitBlocked(t, admin, "INSERT INTO")
	if err := racer.Commit(); err != nil {
		t.Fatal(err)
	}
	err = <-done
	var busy applier.Busy
	if !errors.Is(err, ErrResyncBusy) || !errors.As(err, &busy) || !busy.Busy() {
		t.Fatalf("resync under a racing insert = %v; want a busy error", err)
	}
	t.Logf("racing insert: %v", err)
	if err := r.ResyncTx(ctx, [][]any{{int64(1)}}); err != nil {
		t.Fatal(err)
	}
	rowsTestSame(t, r)
}
