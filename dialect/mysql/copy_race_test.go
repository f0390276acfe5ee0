package mysql_test

import (
	"context"
	"database/sql"
	"testing"
	"time"
)

// TestCopyChunkNeverResurrectsADeletedRow is the race the lock-free copy
// must win: a chunk reads the source in a snapshot without locking it; a
// row of its range is deleted after that snapshot and the deletion resynced
// while the chunk still runs. The resync must wait for the chunk
// (ResyncReady), or the chunk would insert the deleted row after the resync
// and it would stay in the shadow for good.
func TestCopyChunkNeverResurrectsADeletedRow(t *testing.T) {
	const n = 300000
	rows, admin := rowsFor(t, "",
		`INSERT INTO t (id, u, v)
		WITH RECURSIVE d(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM d WHERE x < 599),
		s(x) AS (SELECT a.x * 600 + b.x + 1 FROM d a, d b WHERE a.x * 600 + b.x < 300000)
		SELECT x, x, x FROM s`)
	ctx := context.Background()
	copied := make(chan error, 1)
	go func() {
		_, _, err := rows.CopyRange(ctx, nil, nil)
		copied <- err
	}()
	waitForStatement(t, admin, "INSERT IGNORE INTO%")
	last := key(n)
	if _, err := admin.Exec("DELETE FROM t WHERE id = ?", last[0]); err != nil {
		t.Fatal(err)
	}
	if err := rows.ResyncReady(ctx, [][]any{last}); err != nil {
		t.Fatal(err)
	}
	if err := rows.ResyncTx(ctx, [][]any{last}); err != nil {
		t.Fatal(err)
	}
	if err := <-copied; err != nil {
		t.Fatal(err)
	}
	var count, back int
	admin.QueryRow("SELECT COUNT(*), SUM(id = ?) FROM _t_new", last[0]).Scan(&count, &back)
	if back != 0 || count != n-1 {
		t.Fatalf("shadow holds %d rows (want %d), the deleted row %d times", count, n-1, back)
	}
}

// waitForStatement waits until a session runs a statement like pattern.
func waitForStatement(t *testing.T, admin *sql.DB, pattern string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var n int
		if err := admin.QueryRow("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE ?", pattern).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no session ran %s", pattern)
		}
		time.Sleep(time.Millisecond)
	}
}
