package migration_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/hotswap/hotswap/migration"
)

// runFails runs a migration that must fail during the copy: not a refusal,
// the original table's definition and rows unchanged, and the output naming
// the problem and what is left behind. It returns the run's error.
func runFails(t *testing.T, e engineEnv, alter string, want ...string) error {
	t.Helper()
	ddl, before := e.definition("t"), e.scalar("SELECT COUNT(*) FROM t")
	out, err := e.run(e.config("t", alter))
	if err == nil || migration.IsRefused(err) {
		t.Fatalf("want a run failure, got %v\n%s", err, out)
	}
	for _, w := range append(want, "is in place and unchanged", "Left behind: shadow table") {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
	if e.definition("t") != ddl || e.scalar("SELECT COUNT(*) FROM t") != before {
		t.Error("the original table changed")
	}
	return err
}

func TestValueThatDoesNotFitFailsTheRun(t *testing.T) {
	e := newEnv(t)
	e.exec("CREATE TABLE t (id INT PRIMARY KEY, v INT)", "INSERT INTO t SELECT seq, seq FROM seq_1_to_200", "UPDATE t SET v = 1000 WHERE id = 150")
	runFails(t, e, "MODIFY v TINYINT", "copying would change data", "Out of range value for column 'v'")
}

// TestNewUniqueKeyOnDuplicatesFailsTheRun adds a unique key to data with
// duplicates: the run fails (not a refusal) naming the key and the
// duplicate, the original table keeps its definition and every row, the
// output says so and names the shadow left behind, which is all that is
// left: without it the database is as before, and nothing of the change
// stream is left on the server.
func TestNewUniqueKeyOnDuplicatesFailsTheRun(t *testing.T) {
	cases := map[string]struct {
		fill, alter string
		wantOut     []string // in the output, besides what every engine says
		wantErr     []string // the error names one of these
		left        []string // the tables left behind
	}{
		"mysql": {"UPDATE t SET v = 7 WHERE id IN (20, 180)", "ADD UNIQUE KEY uk_v (v)",
			[]string{"new unique key rejects", "Duplicate entry '7' for key 'uk_v'"}, []string{"uk_v"}, []string{"_t_chk", "_t_new"}},
		"postgres": {"UPDATE t SET v = id % 50", "ADD CONSTRAINT t_v_key UNIQUE (v)",
			nil, []string{"t_v_key", "duplicate"}, []string{"_t_new"}},
	}
	forEachEngine(t, func(t *testing.T, e engineEnv) {
		c := cases[e.engine()]
		e.exec("CREATE TABLE t (id INT PRIMARY KEY, v INT)", "INSERT INTO t SELECT seq, seq FROM "+e.seq(1000), c.fill)
		before := e.schemaOf("t")
		err := runFails(t, e, c.alter, append(c.wantOut, "remove the duplicates")...)
		if !slices.ContainsFunc(c.wantErr, func(w string) bool { return strings.Contains(err.Error(), w) }) {
			t.Errorf("failure names none of %q: %v", c.wantErr, err)
		}
		if got, want := e.tables(), strings.Join(append(c.left, "t"), ","); got != want {
			t.Errorf("tables after the failure: %s, want %s", got, want)
		}
		for _, l := range c.left {
			e.exec("DROP TABLE " + l)
		}
		if after := e.schemaOf("t"); after != before {
			t.Errorf("the database changed beyond what is left behind:\n%s\n->\n%s", before, after)
		}
		e.requireNoStreamLeftovers()
	})
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
