package migration_test

import (
	"context"
	"database/sql"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hotswap/hotswap/internal/workload"
	"github.com/hotswap/hotswap/migration"
)

// TestAlterWorkloadThroughCutOver keeps the random workload writing through
// the cut-over: it must see no error at all, every write it had acknowledged
// must be in the final table, and no write may stall much longer than the
// cut-over's lock timeout.
func TestAlterWorkloadThroughCutOver(t *testing.T) {
	ddl := map[string]struct{ create, alter string }{
		"mysql": {"CREATE TABLE t (id BIGINT PRIMARY KEY, a INT, s VARCHAR(64), u INT NOT NULL DEFAULT 0, d DATETIME(3), j JSON, wl_ver BIGINT) DEFAULT CHARSET=utf8mb4",
			"ADD COLUMN extra VARCHAR(10) DEFAULT 'x', MODIFY a BIGINT, ADD INDEX ix_s (s)"},
		"postgres": {"CREATE TABLE t (id bigint PRIMARY KEY, a int, s varchar(64), j jsonb, ts timestamptz, wl_ver bigint)",
			"ADD COLUMN extra text DEFAULT 'x', ALTER COLUMN a TYPE bigint"},
	}
	forEachEngine(t, func(t *testing.T, e engineEnv) {
		e.exec(ddl[e.engine()].create)
		w := newWorkload(t, e, 5000, workload.Options{Workers: 4, Rate: 500, BigValueRatio: -1})
		w.Start(context.Background())
		time.Sleep(200 * time.Millisecond)
		cfg := e.config("t", ddl[e.engine()].alter)
		run := e.start(cfg)
		run.wait(t)
		cutDone := time.Now()
		time.Sleep(500 * time.Millisecond) // writes after the swap land in the new table
		st := w.Stop()
		requireNoErrors(t, st)
		if err := w.Check(context.Background(), e.writer(), "t"); err != nil {
			t.Fatalf("acknowledged writes missing from the new table: %v", err)
		}
		stall := w.MaxLatencyBetween(cutDone.Add(-5*time.Second), cutDone)
		t.Logf("workload: %d commits; worst write latency around the cut-over %s", st.Commits, stall)
		if stall > cfg.CutOverLockTimeout+2*time.Second {
			t.Errorf("writes stalled %s at cut-over, more than the lock timeout %s", stall, cfg.CutOverLockTimeout)
		}
		e.requireNoStreamLeftovers()
	})
}

// TestCutOverBlockedByLongTransaction holds a transaction open on the table:
// each cut-over attempt times out within the lock timeout, rolls back with
// the original table intact (another session reads it throughout, and it
// has all its rows), and the run succeeds once the transaction ends.
func TestCutOverBlockedByLongTransaction(t *testing.T) {
	fill := map[string]string{
		"mysql":    "INSERT INTO t SELECT seq, seq FROM seq_1_to_3000",
		"postgres": "INSERT INTO t SELECT g, g FROM generate_series(1, 3000) g",
	}
	forEachEngine(t, func(t *testing.T, e engineEnv) {
		e.exec("CREATE TABLE t (id INT PRIMARY KEY, v INT)", fill[e.engine()])
		cfg := e.config("t", "ADD COLUMN w INT")
		cfg.CutOverLockTimeout = time.Second
		cfg.SkipChecksum = true // its consistent point would wait on the blocker the same way
		cfg.PostponeFlagFile = flagFile(t)
		run := e.start(cfg)
		run.waitState(t, migration.StatePostponed)
		// the copy is done; now a transaction writes the table and stays open
		blocker, err := e.writer().BeginTx(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := blocker.Exec("UPDATE t SET v = v + 1 WHERE id = 1"); err != nil {
			t.Fatal(err)
		}
		reads := readContinuously(t, e.writer())
		defer reads()
		os.Remove(cfg.PostponeFlagFile)
		run.waitState(t, migration.StateCuttingOver)
		time.Sleep(3500 * time.Millisecond) // several attempts fail meanwhile
		if st := run.m.State(); st == migration.StateDone {
			t.Fatal("cut-over succeeded while a transaction held the table")
		}
		t0 := time.Now()
		if n := e.scalar("SELECT COUNT(*) FROM t"); n != 3000 {
			t.Fatalf("original table while blocked: %d rows", n)
		}
		t.Logf("a read while the cut-over retried took %s", time.Since(t0))
		if err := blocker.Commit(); err != nil {
			t.Fatal(err)
		}
		run.wait(t)
		failures, worst := reads()
		if failures > 0 {
			t.Errorf("%d reads of the table failed during the cut-over attempts", failures)
		}
		t.Logf("worst read latency while cut-over retried: %s", worst)
		if worst > 3*time.Second {
			t.Errorf("reads stalled %s, more than the lock timeout allows", worst)
		}
		e.compareRows("_t_old", "t", []string{"id"}, nil)
		e.requireNoStreamLeftovers()
	})
}

// readContinuously reads the table from another session until stopped and
// returns the failures and the worst latency.
func readContinuously(t *testing.T, db *sql.DB) func() (int, time.Duration) {
	var failures atomic.Int64
	var worst atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			t0 := time.Now()
			var n int64
			if err := db.QueryRow("SELECT COUNT(*) FROM t WHERE id <= 10").Scan(&n); err != nil && err != sql.ErrNoRows {
				failures.Add(1)
				t.Logf("read failed: %v", err)
			}
			if d := time.Since(t0); int64(d) > worst.Load() {
				worst.Store(int64(d))
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	var once sync.Once
	return func() (int, time.Duration) {
		once.Do(func() { close(stop) })
		wg.Wait()
		return int(failures.Load()), time.Duration(worst.Load())
	}
}
