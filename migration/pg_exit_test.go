package migration_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hotswap/hotswap/internal/workload"
	"github.com/hotswap/hotswap/migration"
	"github.com/rs/zerolog"
)

// TestPostgresToastedValuesUpdatedElsewhere: rows with values far over the
// TOAST threshold are updated in another column only while the cut-over is
// postponed; pgoutput sends those values as "unchanged", and the shadow must
// still get them, since the applier reads rows from the source by key.
func TestPostgresToastedValuesUpdatedElsewhere(t *testing.T) {
	e := newPGEnv(t)
	e.exec("CREATE TABLE t (id int PRIMARY KEY, big text, small int)",
		"ALTER TABLE t ALTER COLUMN big SET STORAGE EXTERNAL", // stored out of line, uncompressed
		"INSERT INTO t SELECT g, repeat(md5(g::text), 1000), g FROM generate_series(1, 200) g")
	if n := e.scalar("SELECT count(*) FROM t WHERE pg_column_size(big) > 8000"); n != 200 {
		t.Fatalf("%d rows have a value over 8 kB", n)
	}
	cfg := e.config("t", "ADD COLUMN n int")
	cfg.PostponeFlagFile = flagFile(t)
	run := e.start(cfg)
	run.waitState(t, migration.StatePostponed)
	e.exec("UPDATE t SET small = small + 1", "UPDATE t SET big = big || 'changed' WHERE id <= 10")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := run.m.CaughtUp(ctx); err != nil {
		t.Fatal(err)
	}
	e.compare("t", run.m.ShadowName(), []string{"id"}, nil)
	os.Remove(cfg.PostponeFlagFile)
	run.wait(t)
	e.compare("_t_old", "t", []string{"id"}, nil)
	if n := e.scalar("SELECT count(*) FROM t WHERE length(big) = 32000 AND small = id + 1"); n != 190 {
		t.Errorf("%d rows keep their big value with the small one updated, want 190", n)
	}
}

// TestPostgresPanicCommandLeavesNoSlot: the panic command stops the run,
// keeps the original, and the slot and publication are gone.
func TestPostgresPanicCommandLeavesNoSlot(t *testing.T) {
	e := newPGEnv(t)
	e.exec("CREATE TABLE t (id int PRIMARY KEY, v int)", "INSERT INTO t SELECT g, g FROM generate_series(1, 5000) g")
	dir := shortDir(t)
	cfg := e.config("t", "ADD COLUMN w int")
	cfg.ServeSocketFile = filepath.Join(dir, "h.sock")
	cfg.PostponeFlagFile = filepath.Join(dir, "postpone.flag")
	run := e.start(cfg)
	eventually(t, time.Minute, "the postponed cut-over", func() bool { return run.m.State() == migration.StatePostponed })
	send(t, cfg.ServeSocketFile, "panic")
	if err := <-run.done; !errors.Is(err, migration.ErrPanic) {
		t.Fatalf("want a panic, got %v", err)
	}
	if !strings.Contains(run.out.String(), "is in place and unchanged") {
		t.Errorf("output:\n%s", run.out.String())
	}
	e.requireNoSlotsOrPublications()
	if n := e.scalar("SELECT count(*) FROM t"); n != 5000 {
		t.Errorf("original has %d rows", n)
	}
}

// lockedBuffer collects log lines across goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// TestPostgresReportsStraySlots: an inactive hotswap slot left by a dead run
// is reported at the next start with the command that drops it.
func TestPostgresReportsStraySlots(t *testing.T) {
	e := newPGEnv(t)
	e.exec("CREATE TABLE t (id int PRIMARY KEY, v int)")
	if _, err := e.admin.Exec("SELECT pg_create_logical_replication_slot('hotswap_dead_run', 'pgoutput')"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.admin.Exec("SELECT pg_drop_replication_slot('hotswap_dead_run')") })
	logs := &lockedBuffer{}
	cfg := e.config("t", "ADD COLUMN w int")
	cfg.Execute = false
	cfg.Log = zerolog.New(logs)
	if err := migration.New(cfg).Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	logs.mu.Lock()
	defer logs.mu.Unlock()
	if !strings.Contains(logs.b.String(), "pg_drop_replication_slot('hotswap_dead_run')") {
		t.Errorf("the stray slot was not reported with its drop command:\n%s", logs.b.String())
	}
}

// TestPostgresWalsenderKilledReconnects: the server ends hotswap's
// walsender twice while the workload writes; the stream reconnects from the
// last position it handed to the applier and no change is lost (frozen
// comparison, then every acknowledged write checked after the cut-over).
func TestPostgresWalsenderKilledReconnects(t *testing.T) {
	e := newPGEnv(t)
	e.exec("CREATE TABLE t (id bigint PRIMARY KEY, a int, s varchar(64), wl_ver bigint)")
	w := newPGWorkload(t, e, 3000, workload.Options{Workers: 3, Rate: 400, BigValueRatio: -1})
	w.Start(context.Background())
	cfg := e.config("t", "ADD COLUMN extra int")
	cfg.PostponeFlagFile = flagFile(t)
	run := e.start(cfg)
	run.waitState(t, migration.StatePostponed)
	for range 2 {
		eventually(t, 20*time.Second, "a walsender (the stream reconnecting)", func() bool {
			return e.scalar("SELECT count(*) FROM pg_stat_replication") == 1
		})
		if n := e.scalar("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_replication"); n != 1 {
			t.Fatalf("%d walsenders terminated, want 1", n)
		}
		time.Sleep(700 * time.Millisecond) // writes go on while the stream is cut
	}
	requireNoErrors(t, w.Stop())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := run.m.CaughtUp(ctx); err != nil {
		t.Fatal(err)
	}
	e.compare("t", run.m.ShadowName(), []string{"id"}, nil)
	os.Remove(cfg.PostponeFlagFile)
	run.wait(t)
	if err := w.Check(ctx, e.app, "t"); err != nil {
		t.Fatalf("acknowledged writes: %v", err)
	}
	e.requireNoSlotsOrPublications()
}
