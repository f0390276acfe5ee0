package migration_test

import (
	"context"
	"math/rand/v2"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hotswap/hotswap/migration"
)

// TestAlterMillionRows migrates a 1M-row table while updates, inserts and
// deletes hit it, then compares every row of source and shadow while the
// cut-over is postponed, and of old and new table after it.
func TestAlterMillionRows(t *testing.T) {
	e := newEnv(t)
	e.exec("CREATE TABLE t (id BIGINT PRIMARY KEY AUTO_INCREMENT, k INT NOT NULL, c CHAR(60), pad VARCHAR(60), KEY ix_k (k))",
		"INSERT INTO t (k, c, pad) SELECT seq % 10000, CONCAT('c', seq), REPEAT('p', seq % 60) FROM seq_1_to_1000000")
	ctx, cancel := context.WithCancel(context.Background())
	var writes atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				time.Sleep(5 * time.Millisecond) // a steady load, not a saturating one
				id := 1 + rand.IntN(1_000_000)
				var err error
				switch rand.IntN(5) {
				case 0:
					_, err = e.admin.ExecContext(ctx, "DELETE FROM t WHERE id = ?", id)
				case 1:
					_, err = e.admin.ExecContext(ctx, "INSERT INTO t (k, c) VALUES (?, 'new')", id%10000)
				default:
					_, err = e.admin.ExecContext(ctx, "UPDATE t SET k = k + 1, pad = 'updated' WHERE id = ?", id)
				}
				if err == nil {
					writes.Add(1)
				} else if ctx.Err() == nil {
					t.Errorf("write failed: %v", err)
					return
				}
			}
		}()
	}
	cfg := e.config("t", "MODIFY k BIGINT NOT NULL, ADD COLUMN extra INT DEFAULT 1, DROP INDEX ix_k, ADD INDEX ix_kc (k, c)")
	cfg.ChunkSize = 5000
	cfg.PostponeFlagFile = flagFile(t)
	run := e.start(cfg)
	run.waitState(t, migration.StatePostponed)
	cancel()
	wg.Wait()
	t.Logf("%d writes during the copy", writes.Load())
	cctx, ccancel := context.WithTimeout(context.Background(), time.Minute)
	defer ccancel()
	if err := run.m.CaughtUp(cctx); err != nil {
		t.Fatal(err)
	}
	pairs := [][2]string{{"id", "id"}, {"k", "k"}, {"c", "c"}, {"pad", "pad"}}
	e.compare("t", run.m.ShadowName(), []string{"id"}, pairs)
	os.Remove(cfg.PostponeFlagFile)
	run.wait(t)
	e.compare("_t_old", "t", []string{"id"}, pairs)
}
