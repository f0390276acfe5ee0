package postgres

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/hotswap/hotswap/checksum"
)

// pointTestApplier records when the point pauses and resumes it, in the
// order of the catch-up's own event.
type pointTestApplier struct{ events []string }

func (a *pointTestApplier) Pause()  { a.events = append(a.events, "pause") }
func (a *pointTestApplier) Resume() { a.events = append(a.events, "resume") }

func pointTestDB(t *testing.T) (db, admin *sql.DB) {
	t.Helper()
	_, db, admin = appDB(t,
		"CREATE TABLE src (id int PRIMARY KEY, v int)",
		"INSERT INTO src SELECT g, g FROM generate_series(1, 50) g",
		"CREATE TABLE src_new (id int PRIMARY KEY, v int)",
	)
	return db, admin
}

// TestChecksumPoint: a writer of the table waits while the catch-up runs
// (the applier paused around it); the snapshots all see the table as the
// catch-up left it, equal to the shadow, and not the write let through
// once the point is open.
func TestChecksumPoint(t *testing.T) {
	db, admin := pointTestDB(t)
	ctx := context.Background()
	applier := &pointTestApplier{}
	written := make(chan error, 1)
	catchUp := func(ctx context.Context) error {
		applier.events = append(applier.events, "catch-up")
		go func() {
			_, err := db.ExecContext(context.Background(), "INSERT INTO src VALUES (51, 51)")
			written <- err
		}()
		rowsTestWaitBlocked(t, admin, "INSERT INTO src ")
		_, err := db.ExecContext(ctx, "INSERT INTO src_new SELECT * FROM src")
		return err
	}
	point := ChecksumPoint{DB: db, Schema: "public", Table: "src", LockTimeout: 5 * time.Second,
		Applier: applier, CatchUp: catchUp}
	conns, err := point.Open(ctx, 3)
	if err != nil {
		t.Fatal(err)
	}
	defer EndSnapshots(conns)
	if err := <-written; err != nil {
		t.Fatalf("the held writer: %v", err)
	}
	if want := []string{"pause", "catch-up", "resume"}; !slices.Equal(applier.events, want) {
		t.Fatalf("events %v, want %v", applier.events, want)
	}
	if len(conns) != 3 {
		t.Fatalf("%d connections, want 3", len(conns))
	}
	r := rowsTestRows(t, db, "src", "src_new", "id")
	snaps := make([]checksum.Snapshot, len(conns))
	for i, c := range conns {
		var n int
		if err := c.QueryRowContext(ctx, "SELECT count(*) FROM src").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 50 {
			t.Fatalf("snapshot %d sees %d rows of src, want the 50 of the point", i, n)
		}
		snaps[i] = Snapshot{Rows: r, Conn: c}
	}
	if diffs := checksumTestCompare(t, snaps); len(diffs) > 0 {
		t.Fatalf("diffs %v at the point", diffs)
	}
}

// TestChecksumPointLockTimeout: a writer in a transaction keeps the lock
// from being taken; the point gives up after LockTimeout, without a
// catch-up, and resumes the applier.
func TestChecksumPointLockTimeout(t *testing.T) {
	db, admin := pointTestDB(t)
	ctx := context.Background()
	writer, err := admin.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = writer.Rollback() }()
	rowsTestExec(t, writer, "INSERT INTO src VALUES (51, 51)")
	applier := &pointTestApplier{}
	point := ChecksumPoint{DB: db, Schema: "public", Table: "src", LockTimeout: 200 * time.Millisecond,
		Applier: applier, CatchUp: func(context.Context) error {
			applier.events = append(applier.events, "catch-up")
			return nil
		}}
	t0 := time.Now()
	conns, err := point.Open(ctx, 2)
	if !IsLockTimeout(err) {
		EndSnapshots(conns)
		t.Fatalf("open: %v, want a lock timeout", err)
	}
	if took := time.Since(t0); took > 5*time.Second {
		t.Fatalf("gave up after %s", took)
	}
	if want := []string{"pause", "resume"}; !slices.Equal(applier.events, want) {
		t.Fatalf("events %v, want %v", applier.events, want)
	}
}

// TestChecksumPointCatchUpBudget: a catch-up still running after
// LockTimeout is cancelled, and the table's writers go on.
func TestChecksumPointCatchUpBudget(t *testing.T) {
	db, _ := pointTestDB(t)
	ctx := context.Background()
	point := ChecksumPoint{DB: db, Schema: "public", Table: "src", LockTimeout: 200 * time.Millisecond,
		CatchUp: func(ctx context.Context) error {
			<-ctx.Done()
			return ctx.Err()
		}}
	conns, err := point.Open(ctx, 2)
	if !errors.Is(err, context.DeadlineExceeded) {
		EndSnapshots(conns)
		t.Fatalf("open: %v, want the budget's deadline", err)
	}
	write, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := db.ExecContext(write, "INSERT INTO src VALUES (51, 51)"); err != nil {
		t.Fatalf("a writer after the point gave up: %v", err)
	}
}
