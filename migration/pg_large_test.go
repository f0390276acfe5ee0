package migration_test

import (
	"context"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hotswap/hotswap/migration"
)

// TestPostgresMillionRows migrates a 1M-row table while updates, inserts and
// deletes hit it, then compares every row of source and shadow while the
// cut-over is postponed, and of old and new table after it.
func TestPostgresMillionRows(t *testing.T) {
	e := newPGEnv(t)
	e.exec("CREATE TABLE t (id bigserial PRIMARY KEY, k int NOT NULL, c char(60), pad varchar(60))",
		"CREATE INDEX ix_k ON t (k)",
		"INSERT INTO t (k, c, pad) SELECT g % 10000, 'c' || g, repeat('p', g % 60) FROM generate_series(1, 1000000) g")
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
					_, err = e.app.ExecContext(ctx, "DELETE FROM t WHERE id = $1", id)
				case 1:
					_, err = e.app.ExecContext(ctx, "INSERT INTO t (k, c) VALUES ($1, 'new')", id%10000)
				default:
					_, err = e.app.ExecContext(ctx, "UPDATE t SET k = k + 1, pad = 'updated' WHERE id = $1", id)
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
	cfg := e.config("t", "ALTER COLUMN k TYPE bigint, ADD COLUMN extra int DEFAULT 1")
	cfg.ChunkSize = 5000
	cfg.PostponeFlagFile = flagFile(t)
	t0 := time.Now()
	run := e.start(cfg)
	run.waitState(t, migration.StatePostponed)
	t.Logf("copy of 1M rows and catch-up took %s", time.Since(t0))
	cancel()
	wg.Wait()
	t.Logf("%d writes during the copy", writes.Load())
	cctx, ccancel := context.WithTimeout(context.Background(), time.Minute)
	defer ccancel()
	if err := run.m.CaughtUp(cctx); err != nil {
		t.Fatal(err)
	}
	e.compare("t", run.m.ShadowName(), []string{"id"}, nil)
	os.Remove(cfg.PostponeFlagFile)
	run.wait(t)
	e.compare("_t_old", "t", []string{"id"}, nil)
	e.requireNoSlotsOrPublications()
}

// TestPostgresSocketSession drives a PostgreSQL run from the control socket:
// held by a flag file, paused, resized, postponed and released.
func TestPostgresSocketSession(t *testing.T) {
	e := newPGEnv(t)
	e.exec("CREATE TABLE t (id int PRIMARY KEY, v int)", "INSERT INTO t SELECT g, g FROM generate_series(1, 50000) g")
	cfg := e.config("t", "ADD COLUMN w int")
	hold := heldByFlagFile(t, &cfg)
	run := e.start(cfg)
	eventually(t, time.Minute, "the copy to start", func() bool { return run.m.State() == migration.StateCopying })
	sock := cfg.ServeSocketFile
	st := statusOf(t, sock)
	if !st.Throttled || !strings.Contains(st.ThrottleReason, "throttle.flag") || st.RowsCopied != 0 {
		t.Fatalf("want a copy held by the flag file: %+v", st)
	}
	if got := send(t, sock, "chunk-size=700"); !strings.HasPrefix(got, "OK") {
		t.Fatalf("chunk-size=700: %s", got)
	}
	os.Remove(hold)
	send(t, sock, "throttle-query=SELECT 1")
	eventually(t, 5*time.Second, "the throttle query", func() bool {
		return strings.Contains(statusOf(t, sock).ThrottleReason, "throttle-query returned 1")
	})
	send(t, sock, "throttle-query=")
	send(t, sock, "pause")
	time.Sleep(300 * time.Millisecond)
	if st := statusOf(t, sock); !strings.Contains(st.ThrottleReason, "manual") {
		t.Fatalf("want the manual throttle: %+v", st)
	}
	send(t, sock, "resume")
	eventually(t, time.Minute, "the postponed cut-over", func() bool { return statusOf(t, sock).State == "postponed" })
	if st := statusOf(t, sock); st.RowsCopied != 50000 || st.ChunkSize != 700 {
		t.Fatalf("after the copy: %+v", st)
	}
	send(t, sock, "unpostpone")
	run.wait(t)
	e.compare("_t_old", "t", []string{"id"}, nil)
	e.requireNoSlotsOrPublications()
}
