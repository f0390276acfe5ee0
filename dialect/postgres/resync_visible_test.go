package postgres

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"
)

func TestResyncWidenXid(t *testing.T) {
	const epoch5 = uint64(5) << 32
	for _, c := range []struct {
		xid  uint32
		next uint64
		want uint64
	}{
		{50, epoch5 | 100, epoch5 | 50},
		{99, epoch5 | 100, epoch5 | 99},
		{100, epoch5 | 100, (epoch5 - 1<<32) | 100}, // next is not assigned yet: the xid wrapped
		{4_000_000_000, epoch5 | 100, (epoch5 - 1<<32) | 4_000_000_000},
		{50, 100, 50},
	} {
		if got := rowsWidenXid(c.xid, c.next); got != c.want {
			t.Errorf("widen(%d, %#x) = %#x, want %#x", c.xid, c.next, got, c.want)
		}
	}
}

// TestResyncWaitVisible: the xid of an open transaction holds WaitVisible
// until that transaction commits; committed xids pass at once; ctx bounds the
// wait.
func TestResyncWaitVisible(t *testing.T) {
	_, db, admin := appDB(t)
	r := &Rows{DB: db}
	ctx := context.Background()
	committed := rowsTestXid(t, admin)
	start := time.Now()
	if err := r.WaitVisible(ctx, []uint32{committed, committed}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 2*time.Second { // no wait; generous for a loaded machine
		t.Errorf("a committed xid took %s", d)
	}
	open, err := admin.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = open.Rollback() }()
	var xid int64
	if err := open.QueryRow("SELECT txid_current() % 4294967296").Scan(&xid); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if err := r.WaitVisible(short, []uint32{uint32(xid)}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("wait on an open transaction with a 100 ms budget = %v, want the deadline", err)
	}
	returned := make(chan time.Time, 1)
	go func() {
		if err := r.WaitVisible(ctx, []uint32{committed, uint32(xid)}); err != nil {
			t.Error(err)
		}
		returned <- time.Now()
	}()
	time.Sleep(300 * time.Millisecond)
	commitStart := time.Now()
	if err := open.Commit(); err != nil {
		t.Fatal(err)
	}
	select {
	case at := <-returned:
		if at.Before(commitStart) {
			t.Fatalf("WaitVisible returned %s before the commit", commitStart.Sub(at))
		}
	case <-time.After(5 * time.Second):
		t.Fatal("WaitVisible did not return after the commit")
	}
}

// rowsTestXid runs a transaction that takes an xid and returns its low 32
// bits, as the stream's BEGIN carries it.
func rowsTestXid(t *testing.T, db *sql.DB) uint32 {
	t.Helper()
	var xid int64
	if err := db.QueryRow("SELECT txid_current() % 4294967296").Scan(&xid); err != nil {
		t.Fatal(err)
	}
	return uint32(xid)
}
