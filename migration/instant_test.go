package migration_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hotswap/hotswap/migration"
)

// TestAttemptInstantDDL: with AttemptInstantDDL, a change the server makes
// without copying is done in place (the output says so, no old, shadow or
// probe table is left, the change is there); one it cannot is copied online
// as usual (the old table is kept); nothing of the change stream is left.
func TestAttemptInstantDDL(t *testing.T) {
	type step struct {
		alter   string
		inPlace bool
		tables  string // e.tables() after the run
		checks  []scalarWant
	}
	steps := map[string][]step{
		"mysql": {
			{"ADD COLUMN note VARCHAR(20) NULL", true, "t", []scalarWant{
				{"SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 't' AND COLUMN_NAME = 'note'", 1}}},
			{"ADD INDEX ix_v (v)", false, "_t_old,t", []scalarWant{
				{"SELECT COUNT(DISTINCT INDEX_NAME) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 't' AND INDEX_NAME = 'ix_v'", 1}}},
		},
		"postgres": {
			{"ADD COLUMN note text DEFAULT 'x'", true, "t", []scalarWant{
				{"SELECT count(*) FROM pg_class WHERE relname IN ('_t_old', '_t_new', '_t_probe')", 0},
				{"SELECT count(*) FROM t WHERE note = 'x'", 2000}}},
			// the table's index name works on the probe
			{"REPLICA IDENTITY USING INDEX t_pkey", true, "t", []scalarWant{
				{"SELECT count(*) FROM pg_index WHERE indrelid = 't'::regclass AND indisreplident", 1}}},
			{"ALTER COLUMN v TYPE bigint", false, "_t_old,t", []scalarWant{
				{"SELECT count(*) FROM pg_class WHERE relname = '_t_old'", 1}}},
			// an index-backed constraint: never in place, and its name (which
			// the shadow already holds) never tried on a probe
			{"ADD CONSTRAINT t_v_uq UNIQUE (v)", false, "_t_old,t", []scalarWant{
				{"SELECT count(*) FROM pg_constraint WHERE conrelid = 't'::regclass AND conname = 't_v_uq'", 1}}},
		},
	}
	forEachEngine(t, func(t *testing.T, e engineEnv) {
		e.exec("CREATE TABLE t (id INT PRIMARY KEY, v INT)", "INSERT INTO t SELECT seq, seq FROM "+e.seq(2000))
		for _, s := range steps[e.engine()] {
			cfg := e.config("t", s.alter)
			cfg.AttemptInstantDDL, cfg.InitiallyDropOld = true, true // each copy replaces the last one's old table
			out, err := e.run(cfg)
			if err != nil {
				t.Fatalf("%s: %v\n%s", s.alter, err, out)
			}
			if strings.Contains(out, "done in place") != s.inPlace || e.tables() != s.tables {
				t.Fatalf("%s: want in place %v, tables %s; tables %s\n%s", s.alter, s.inPlace, s.tables, e.tables(), out)
			}
			requireScalars(t, e, s.checks...)
		}
		e.requireNoStreamLeftovers()
	})
}

// TestPostgresInstantDDLFallsBackWhenLocked: an in-place change whose lock is
// not granted within the lock timeout is not forced: the online copy runs
// instead, and cuts over once the blocker is gone.
func TestPostgresInstantDDLFallsBackWhenLocked(t *testing.T) {
	e := newPGEnv(t)
	e.exec("CREATE TABLE t (id int PRIMARY KEY, v int)", "INSERT INTO t SELECT g, g FROM generate_series(1, 2000) g")
	blocker, err := e.app.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := blocker.Exec("UPDATE t SET v = v + 1 WHERE id = 1"); err != nil {
		t.Fatal(err)
	}
	cfg := e.config("t", "ADD COLUMN note text")
	cfg.AttemptInstantDDL = true
	cfg.CutOverLockTimeout = time.Second
	run := e.start(cfg)
	// past the in-place attempt's 1 s lock wait (creating the slot then waits
	// for the blocker too: it waits for every transaction open at that moment)
	time.Sleep(2500 * time.Millisecond)
	if st := run.m.State(); st == migration.StateDone {
		t.Fatal("the run finished while a transaction held the table")
	}
	if err := blocker.Commit(); err != nil {
		t.Fatal(err)
	}
	run.wait(t)
	if strings.Contains(run.out.String(), "done in place") || e.scalar("SELECT count(*) FROM pg_class WHERE relname = '_t_old'") != 1 {
		t.Fatalf("want the online copy after the in-place lock timed out:\n%s", run.out.String())
	}
	e.compare("_t_old", "t", []string{"id"}, nil)
}
