package migration_test

import (
	"context"
	"sync"
	"testing"
	"time"
)

// TestCutOverTableNameSortingFirst covers the other lock order: a name like
// "Orders" sorts before "_Orders_new", so the RENAME queues on the table at
// once. Inserts keep coming through the cut-over; every acknowledged one must
// be in the new table.
func TestCutOverTableNameSortingFirst(t *testing.T) {
	e := newEnv(t)
	e.exec("CREATE TABLE `Orders` (id INT PRIMARY KEY, v INT)", "INSERT INTO `Orders` SELECT seq, seq FROM seq_1_to_20000")
	ctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	var acked []int
	var failed error
	done := make(chan struct{})
	go func() {
		defer close(done)
		for id := 100001; ctx.Err() == nil; id++ {
			if _, err := e.admin.ExecContext(ctx, "INSERT INTO `Orders` (id, v) VALUES (?, 1)", id); err != nil {
				if ctx.Err() == nil {
					mu.Lock()
					failed = err
					mu.Unlock()
				}
				return
			}
			mu.Lock()
			acked = append(acked, id)
			mu.Unlock()
			time.Sleep(time.Millisecond)
		}
	}()
	out, err := e.run(e.config("Orders", "ADD COLUMN w INT"))
	time.Sleep(300 * time.Millisecond) // writes after the swap, too
	cancel()
	<-done
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out)
	}
	if failed != nil {
		t.Fatalf("a write failed during the run: %v", failed)
	}
	var missing int
	for _, id := range acked {
		var n int
		e.admin.QueryRow("SELECT COUNT(*) FROM `Orders` WHERE id = ?", id).Scan(&n)
		if n != 1 {
			missing++
		}
	}
	if missing > 0 || len(acked) == 0 {
		t.Fatalf("%d of %d acknowledged inserts are missing from the new table", missing, len(acked))
	}
}
