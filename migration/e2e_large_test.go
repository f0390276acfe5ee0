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
	type engineSQL struct {
		create              []string
		alter               string
		del, insert, update string // of one row, by its id
	}
	sqls := map[string]engineSQL{
		"mysql": {
			create: []string{"CREATE TABLE t (id BIGINT PRIMARY KEY AUTO_INCREMENT, k INT NOT NULL, c CHAR(60), pad VARCHAR(60), KEY ix_k (k))",
				"INSERT INTO t (k, c, pad) SELECT seq % 10000, CONCAT('c', seq), REPEAT('p', seq % 60) FROM seq_1_to_1000000"},
			alter: "MODIFY k BIGINT NOT NULL, ADD COLUMN extra INT DEFAULT 1, DROP INDEX ix_k, ADD INDEX ix_kc (k, c)",
			del:   "DELETE FROM t WHERE id = ?", insert: "INSERT INTO t (k, c) VALUES (?, 'new')",
			update: "UPDATE t SET k = k + 1, pad = 'updated' WHERE id = ?"},
		"postgres": {
			create: []string{"CREATE TABLE t (id bigserial PRIMARY KEY, k int NOT NULL, c char(60), pad varchar(60))",
				"CREATE INDEX ix_k ON t (k)",
				"INSERT INTO t (k, c, pad) SELECT g % 10000, 'c' || g, repeat('p', g % 60) FROM generate_series(1, 1000000) g"},
			alter: "ALTER COLUMN k TYPE bigint, ADD COLUMN extra int DEFAULT 1",
			del:   "DELETE FROM t WHERE id = $1", insert: "INSERT INTO t (k, c) VALUES ($1, 'new')",
			update: "UPDATE t SET k = k + 1, pad = 'updated' WHERE id = $1"},
	}
	forEachEngine(t, func(t *testing.T, e engineEnv) {
		q := sqls[e.engine()]
		e.exec(q.create...)
		ctx, cancel := context.WithCancel(context.Background())
		var writes atomic.Int64
		var wg sync.WaitGroup
		for range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for ctx.Err() == nil {
					time.Sleep(5 * time.Millisecond) // a steady load, not a saturating one
					id := 1 + rand.IntN(1_000_000)
					var err error
					switch rand.IntN(5) {
					case 0:
						_, err = e.writer().ExecContext(ctx, q.del, id)
					case 1:
						_, err = e.writer().ExecContext(ctx, q.insert, id%10000)
					default:
						_, err = e.writer().ExecContext(ctx, q.update, id)
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
		cfg := e.config("t", q.alter)
		cfg.ChunkSize = 5000
		cfg.PostponeFlagFile = flagFile(t)
		t0 := time.Now()
		run := e.start(cfg)
		run.waitState(t, migration.StatePostponed)
		t.Logf("copy of 1M rows and catch-up took %s", time.Since(t0))
		cancel()
		wg.Wait()
		t.Logf("%d writes during the copy", writes.Load())
		run.compareShadow(t, e, "t", []string{"id"}, nil)
		os.Remove(cfg.PostponeFlagFile)
		run.wait(t)
		e.compareRows("_t_old", "t", []string{"id"}, nil)
		e.requireNoStreamLeftovers()
	})
}
