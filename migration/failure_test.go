package migration_test

import (
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
