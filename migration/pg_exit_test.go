package migration_test

import (
	"context"
	"os"
	"strings"
	"testing"

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
	run.compareShadow(t, e, "t", []string{"id"}, nil)
	os.Remove(cfg.PostponeFlagFile)
	run.wait(t)
	e.compare("_t_old", "t", []string{"id"}, nil)
	if n := e.scalar("SELECT count(*) FROM t WHERE length(big) = 32000 AND small = id + 1"); n != 190 {
		t.Errorf("%d rows keep their big value with the small one updated, want 190", n)
	}
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
	logs := &syncBuffer{}
	cfg := e.config("t", "ADD COLUMN w int")
	cfg.Execute = false
	cfg.Log = zerolog.New(logs)
	if err := migration.New(cfg).Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "pg_drop_replication_slot('hotswap_dead_run')") {
		t.Errorf("the stray slot was not reported with its drop command:\n%s", logs.String())
	}
}
