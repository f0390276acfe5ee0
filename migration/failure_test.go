package migration_test

import (
	"os"
	"strings"
	"testing"

	"github.com/hotswap/hotswap/migration"
)

// runFails runs a migration that must fail during the copy: not a refusal,
// the original table unchanged, and the output naming the problem and what
// is left behind.
func (e *env) runFails(alter string, want ...string) {
	e.t.Helper()
	ddl, before := e.showCreate("t"), e.count("t")
	out, err := e.run(e.config("t", alter))
	if err == nil || migration.IsRefused(err) {
		e.t.Fatalf("want a run failure, got %v\n%s", err, out)
	}
	for _, w := range append(want, "is in place and unchanged", "Left behind: shadow table") {
		if !strings.Contains(out, w) {
			e.t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
	if e.showCreate("t") != ddl || e.count("t") != before {
		e.t.Error("the original table changed")
	}
}

func TestValueThatDoesNotFitFailsTheRun(t *testing.T) {
	e := newEnv(t)
	e.exec("CREATE TABLE t (id INT PRIMARY KEY, v INT)", "INSERT INTO t SELECT seq, seq FROM seq_1_to_200", "UPDATE t SET v = 1000 WHERE id = 150")
	e.runFails("MODIFY v TINYINT", "copying would change data", "Out of range value for column 'v'")
}

func TestNewUniqueKeyOnDuplicatesFailsTheRun(t *testing.T) {
	e := newEnv(t)
	e.exec("CREATE TABLE t (id INT PRIMARY KEY, v INT)", "INSERT INTO t SELECT seq, seq FROM seq_1_to_200", "UPDATE t SET v = 7 WHERE id IN (20, 180)")
	e.runFails("ADD UNIQUE KEY uk_v (v)", "new unique key rejects", "Duplicate entry '7' for key 'uk_v'")
}

// TestAutoIncrementCarriedOver: ids freed at the top during the run must not
// be handed out again by the new table.
func TestAutoIncrementCarriedOver(t *testing.T) {
	e := newEnv(t)
	e.exec("CREATE TABLE t (id INT PRIMARY KEY AUTO_INCREMENT, v INT)", "INSERT INTO t (v) SELECT seq FROM seq_1_to_100")
	cfg := e.config("t", "ADD COLUMN w INT")
	cfg.PostponeFlagFile = flagFile(t)
	run := e.start(cfg)
	run.waitState(t, migration.StatePostponed)
	e.exec("INSERT INTO t (v) VALUES (101)", "DELETE FROM t WHERE id > 90")
	os.Remove(cfg.PostponeFlagFile)
	run.wait(t)
	res, err := e.admin.Exec("INSERT INTO t (v) VALUES (0)")
	if err != nil {
		t.Fatal(err)
	}
	if id, _ := res.LastInsertId(); id <= 101 {
		t.Fatalf("new table handed out id %d again (the old table had reached 101)", id)
	}
}
