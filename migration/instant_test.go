package migration_test

import (
	"strings"
	"testing"
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
	cfg = e.config("t", "ALTER COLUMN v TYPE bigint")
	cfg.AttemptInstantDDL = true
	run = e.start(cfg)
	run.wait(t)
	if strings.Contains(run.out.String(), "done in place") || e.scalar("SELECT count(*) FROM pg_class WHERE relname = '_t_old'") != 1 {
		t.Fatalf("want an online copy:\n%s", run.out.String())
	}
	e.requireNoSlotsOrPublications()
}
