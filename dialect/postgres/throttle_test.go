package postgres

import (
	"context"
	"strings"
	"testing"
)

// TestThrottleLoad: the load counters count client sessions (an open idle
// transaction shows in idle_in_transaction; MySQL's names work too), and a
// name PostgreSQL does not answer is an error that lists those it does.
func TestThrottleLoad(t *testing.T) {
	ctx := context.Background()
	_, app, _ := appDB(t)
	tx, err := app.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.Exec("SELECT 1"); err != nil {
		t.Fatal(err)
	}
	th := Throttle{Schema: "public"}
	got, err := th.Load(ctx, app, []string{"sessions", "Threads_connected", "active_sessions", "idle_in_transaction", "lock_waits"})
	if err != nil {
		t.Fatal(err)
	}
	if got["sessions"] < 2 || got["Threads_connected"] != got["sessions"] || got["active_sessions"] < 1 || got["idle_in_transaction"] < 1 {
		t.Fatalf("load counters with two sessions, one of them idle in a transaction: %v", got)
	}
	if _, err := th.Load(ctx, app, []string{"sessions", "Innodb_row_lock_waits"}); err == nil ||
		!strings.Contains(err.Error(), "no load counter Innodb_row_lock_waits") || !strings.Contains(err.Error(), "active_sessions") {
		t.Fatalf("unknown counter: %v", err)
	}
}

// TestThrottleHeartbeat: found is false before the table exists and before
// its row; the row holds the last sequence written; drop removes it.
func TestThrottleHeartbeat(t *testing.T) {
	ctx := context.Background()
	_, app, _ := appDB(t)
	th := Throttle{Schema: "public"}
	read := func() (int64, bool) {
		t.Helper()
		seq, found, err := th.ReadHeartbeat(ctx, app, "_t_hb")
		if err != nil {
			t.Fatal(err)
		}
		return seq, found
	}
	if _, found := read(); found {
		t.Fatal("found a heartbeat before the table exists")
	}
	if err := th.CreateHeartbeat(ctx, app, "_t_hb"); err != nil {
		t.Fatal(err)
	}
	if _, found := read(); found {
		t.Fatal("found a heartbeat before the first write")
	}
	for _, seq := range []int64{1, 2, 7} {
		if err := th.WriteHeartbeat(ctx, app, "_t_hb", seq); err != nil {
			t.Fatal(err)
		}
	}
	if seq, found := read(); !found || seq != 7 {
		t.Fatalf("heartbeat = %d, %v; want 7", seq, found)
	}
	if err := th.DropHeartbeat(ctx, app, "_t_hb"); err != nil {
		t.Fatal(err)
	}
	if _, found := read(); found {
		t.Fatal("found a heartbeat after the drop")
	}
}
