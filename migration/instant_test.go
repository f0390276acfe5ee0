package migration_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hotswap/hotswap/migration"
)

// TestAttemptInstantDDL: a change the server makes without copying is done
// in place (no old table); one it cannot is copied online as usual.
func TestAttemptInstantDDL(t *testing.T) {
	e := newEnv(t)
	e.exec("CREATE TABLE t (id INT PRIMARY KEY, v INT)", "INSERT INTO t SELECT seq, seq FROM seq_1_to_2000")
	cfg := e.config("t", "ADD COLUMN note VARCHAR(20) NULL")
	cfg.AttemptInstantDDL = true
	out, err := e.run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "done in place") || e.tables() != "t" || !strings.Contains(e.showCreate("t"), "`note`") {
		t.Fatalf("want an in-place change: tables %s\n%s", e.tables(), out)
	}
	cfg = e.config("t", "ADD INDEX ix_v (v)")
	cfg.AttemptInstantDDL = true
	out, err = e.run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, "done in place") || e.tables() != "_t_old,t" || !strings.Contains(e.showCreate("t"), "ix_v") {
		t.Fatalf("want an online copy: tables %s\n%s", e.tables(), out)
	}
}

func TestPostgresAttemptInstantDDL(t *testing.T) {
	e := newPGEnv(t)
	e.exec("CREATE TABLE t (id int PRIMARY KEY, v int)", "INSERT INTO t SELECT g, g FROM generate_series(1, 2000) g")
	cfg := e.config("t", "ADD COLUMN note text DEFAULT 'x'")
	cfg.AttemptInstantDDL = true
	run := e.start(cfg)
	run.wait(t)
	if !strings.Contains(run.out.String(), "done in place") || e.scalar("SELECT count(*) FROM pg_class WHERE relname IN ('_t_old', '_t_new', '_t_probe')") != 0 {
		t.Fatalf("want an in-place change:\n%s", run.out.String())
	}
	if e.scalar("SELECT count(*) FROM t WHERE note = 'x'") != 2000 {
		t.Fatal("the column was not added")
	}
	cfg = e.config("t", "REPLICA IDENTITY USING INDEX t_pkey") // the table's index name works on the probe
	cfg.AttemptInstantDDL = true
	run = e.start(cfg)
	run.wait(t)
	if !strings.Contains(run.out.String(), "done in place") || e.scalar("SELECT count(*) FROM pg_index WHERE indrelid = 't'::regclass AND indisreplident") != 1 {
		t.Fatalf("want an in-place change of the replica identity:\n%s", run.out.String())
	}
	cfg = e.config("t", "ALTER COLUMN v TYPE bigint")
	cfg.AttemptInstantDDL = true
	run = e.start(cfg)
	run.wait(t)
	if strings.Contains(run.out.String(), "done in place") || e.scalar("SELECT count(*) FROM pg_class WHERE relname = '_t_old'") != 1 {
		t.Fatalf("want an online copy:\n%s", run.out.String())
	}
	e.requireNoSlotsOrPublications()
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
