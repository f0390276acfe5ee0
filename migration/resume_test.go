package migration_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hotswap/hotswap/internal/workload"
	"github.com/hotswap/hotswap/migration"
)

// TestResumeAfterInterruptMySQL stops a run mid-copy under a write load, then
// resumes it with --resume while the load goes on: the resumed run starts
// from the checkpoint (it copies fewer rows than the table has), and every
// acknowledged write is in the final table. A different ALTER is refused,
// with both shown, and changes nothing.
func TestResumeAfterInterruptMySQL(t *testing.T) {
	e := newEnv(t)
	e.exec("CREATE TABLE t (id BIGINT PRIMARY KEY, a INT, s VARCHAR(64), u INT NOT NULL DEFAULT 0, d DATETIME(3), j JSON, wl_ver BIGINT) DEFAULT CHARSET=utf8mb4")
	const rows = 40000
	w := newWorkload(t, e, rows, workload.Options{Workers: 2, Rate: 300, BigValueRatio: -1})
	w.Start(context.Background())
	cfg := e.config("t", "ADD COLUMN extra INT DEFAULT 7, MODIFY a BIGINT, ADD INDEX ix_s (s)")
	cfg.ChunkSize = 200
	cfg.CheckpointInterval = 100 * time.Millisecond
	cfg.Throttle = nil
	first := migration.New(withOut(cfg, &syncBuffer{}))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- first.Run(ctx) }()
	for first.Copied() < rows/3 {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // a checkpoint or two past a third
	cancel()
	if err := <-done; err == nil {
		t.Fatal("the interrupted run should fail")
	}
	if !first.Resumable() {
		t.Fatal("the interrupted run wrote its checkpoint table but does not say it is resumable")
	}
	copiedBefore := first.Copied()
	if copiedBefore >= rows {
		t.Fatalf("the copy finished (%d rows) before the interrupt: make the table bigger", copiedBefore)
	}

	other := cfg
	other.Resume, other.Alter, other.Out = true, "ADD COLUMN extra INT DEFAULT 8", &syncBuffer{}
	refused := migration.New(other)
	if err := refused.Run(context.Background()); !migration.IsRefused(err) || !strings.Contains(err.Error(), "checkpointed: ADD COLUMN extra INT DEFAULT 7") {
		t.Fatalf("a resume with another ALTER: want refused with both shown, got %v\n%s", err, other.Out)
	}
	if refused.Resumable() { // it opened no checkpoint: after an outage it would not be sent to --resume
		t.Fatal("a run refused before its stream says it is resumable")
	}

	cfg.Resume = true
	second := migration.New(withOut(cfg, &syncBuffer{}))
	if err := second.Run(context.Background()); err != nil {
		t.Fatalf("resume: %v", err)
	}
	time.Sleep(300 * time.Millisecond) // writes after the swap land in the new table
	st := w.Stop()
	requireNoErrors(t, st)
	if err := w.Check(context.Background(), e.admin, "t"); err != nil {
		t.Fatalf("acknowledged writes missing after the resume: %v", err)
	}
	t.Logf("first run copied %d rows, the resumed run %d of %d; %d workload commits", copiedBefore, second.Copied(), rows, st.Commits)
	if second.Copied() >= rows-rows/4 {
		t.Errorf("the resumed run copied %d rows of %d: it did not continue from the checkpoint", second.Copied(), rows)
	}
	if got := e.tables(); got != "_t_old,t" {
		t.Errorf("tables after the resumed run: %s (want the checkpoint gone)", got)
	}
	if ddl := e.showCreate("t"); !strings.Contains(ddl, "`extra`") || !strings.Contains(ddl, "KEY `ix_s`") {
		t.Errorf("final table lacks the ALTER:\n%s", ddl)
	}
}

func withOut(cfg migration.Config, out *syncBuffer) migration.Config {
	cfg.Out = out
	return cfg
}
