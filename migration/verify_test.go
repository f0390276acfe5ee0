package migration_test

import (
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hotswap/hotswap/migration"
	"github.com/rs/zerolog"
)

// TestNarrowingMatchesBlockingAlter: conversions the server narrows silently
// (DOUBLE to FLOAT, fewer fractional seconds) must pass the checksum and give
// exactly what a blocking ALTER gives.
func TestNarrowingMatchesBlockingAlter(t *testing.T) {
	e := newEnv(t)
	alter := "MODIFY d FLOAT, MODIFY dt DATETIME(2), MODIFY tm TIME(1), MODIFY ts TIMESTAMP(1) NULL DEFAULT NULL"
	e.exec("CREATE TABLE t (id INT PRIMARY KEY, d DOUBLE, dt DATETIME(6), tm TIME(4), ts TIMESTAMP(6) NULL DEFAULT NULL)",
		"INSERT INTO t VALUES (1, 0.1, '2020-01-01 10:00:00.123456', '10:00:00.1234', '2021-02-03 04:05:06.987654'),"+
			" (2, 1.234567891e10, '2020-01-01 10:00:00.999999', '-10:00:00.9999', NULL), (3, NULL, NULL, NULL, '1970-01-02 00:00:00.5')",
		"CREATE TABLE ref LIKE t", "INSERT INTO ref SELECT * FROM t", "ALTER TABLE ref "+alter)
	if out, err := e.run(e.config("t", alter)); err != nil {
		t.Fatalf("run: %v\n%s", err, out)
	}
	e.compare("ref", "t", []string{"id"}, [][2]string{{"d", "d"}, {"dt", "dt"}, {"tm", "tm"}, {"ts", "ts"}})
}

// TestChecksumRepairsCorruptedShadow corrupts the shadow behind the stream's
// back while the cut-over is postponed (a changed value, a changed text that
// on MariaDB's case-insensitive collation differs only in case, a missing
// row, an extra row between two keys and one past the last): only the full
// checksum can see it (the default one trusts rows it compared after their
// copy that the stream never reported since), and the run must resync those
// rows and end with a table equal to the original.
func TestChecksumRepairsCorruptedShadow(t *testing.T) {
	create := map[string]string{
		"mysql":    "CREATE TABLE t (id INT PRIMARY KEY, v INT, s VARCHAR(20)) DEFAULT CHARSET=utf8mb4",
		"postgres": "CREATE TABLE t (id int PRIMARY KEY, v int, s text)",
	}
	forEachEngine(t, func(t *testing.T, e engineEnv) {
		e.exec(create[e.engine()], "INSERT INTO t SELECT seq * 2, seq, CONCAT('name', seq) FROM "+e.seq(5000)) // even keys 2..10000
		cfg := e.config("t", "ADD COLUMN w INT")
		cfg.FullChecksum = true
		cfg.PostponeFlagFile = flagFile(t)
		run := e.start(cfg)
		run.waitState(t, migration.StatePostponed)
		e.exec("UPDATE _t_new SET v = v + 1 WHERE id = 10",
			"UPDATE _t_new SET s = 'NAME10' WHERE id = 20",
			"DELETE FROM _t_new WHERE id = 3000",
			"INSERT INTO _t_new (id, v, s) VALUES (1001, 1, 'extra')",
			"INSERT INTO _t_new (id, v, s) VALUES (99999, 1, 'extra')")
		os.Remove(cfg.PostponeFlagFile)
		run.wait(t)
		e.compareRows("_t_old", "t", []string{"id"}, nil)
		var s string
		e.writer().QueryRow("SELECT s FROM t WHERE id = 20").Scan(&s)
		if s != "name10" {
			t.Errorf("the corruption of row 20 survived: %q", s)
		}
	})
}

// TestChecksumFailsWhenRowsStayDifferent: a trigger on the shadow corrupts
// row 10 on every write, so neither the resync of the application's change
// to it nor the checksum's own resync can repair it: the run must stop
// before the cut-over, name the key, and leave the original in place.
func TestChecksumFailsWhenRowsStayDifferent(t *testing.T) {
	e := newEnv(t)
	e.exec("CREATE TABLE t (id INT PRIMARY KEY, v INT)", "INSERT INTO t SELECT seq, seq FROM seq_1_to_500")
	cfg := e.config("t", "ADD COLUMN w INT")
	cfg.PostponeFlagFile = flagFile(t)
	run := e.start(cfg)
	run.waitState(t, "postponed")
	e.exec("UPDATE _t_new SET v = -1 WHERE id = 10",
		"CREATE TRIGGER corrupt BEFORE INSERT ON _t_new FOR EACH ROW SET NEW.v = IF(NEW.id = 10, -1, NEW.v)",
		"UPDATE t SET v = 1010 WHERE id = 10")
	os.Remove(cfg.PostponeFlagFile)
	err := <-run.done
	if err == nil || !strings.Contains(err.Error(), "still differ") || !strings.Contains(err.Error(), "first differing key [10]") {
		t.Fatalf("want a checksum failure naming key 10, got %v", err)
	}
	if !strings.Contains(run.out.String(), "is in place and unchanged") || e.tables() != "_t_chk,_t_new,t" {
		t.Fatalf("original not left in place: tables %s\n%s", e.tables(), run.out.String())
	}
}

// TestChecksumFindsAnExtraShadowRow: a shadow row with no source row, in a
// chunk where every source row matches, is still found by the full checksum
// (the row counts differ) and removed by the resync.
func TestChecksumFindsAnExtraShadowRow(t *testing.T) {
	e := newEnv(t)
	e.exec("CREATE TABLE t (id INT PRIMARY KEY, v INT)", "INSERT INTO t SELECT seq * 2, seq FROM seq_1_to_3000")
	cfg := e.config("t", "ADD COLUMN w INT")
	cfg.FullChecksum = true
	cfg.PostponeFlagFile = flagFile(t)
	run := e.start(cfg)
	run.waitState(t, "postponed")
	e.exec("INSERT INTO _t_new (id, v) VALUES (1001, 7)") // between two source keys
	os.Remove(cfg.PostponeFlagFile)
	run.wait(t)
	e.compare("_t_old", "t", []string{"id"}, [][2]string{{"v", "v"}})
}

// TestEarlyChecksumFindsARowTheCopyGotWrong: while the copy is held, a
// trigger on the shadow makes the copy write row 20 wrong. The early
// checksum, comparing each range after its copy, finds it; the trigger is
// gone by the consistent point, which compares the row again and has it
// resynced: the table ends equal to the original.
func TestEarlyChecksumFindsARowTheCopyGotWrong(t *testing.T) {
	e := newEnv(t)
	e.exec("CREATE TABLE t (id INT PRIMARY KEY, v INT)", "INSERT INTO t SELECT seq * 2, seq FROM seq_1_to_20000")
	cfg := e.config("t", "ADD COLUMN w INT")
	logs := &syncBuffer{}
	cfg.Log = zerolog.New(io.MultiWriter(zerolog.NewTestWriter(t), logs))
	hold := heldByFlagFile(t, &cfg)
	run := e.start(cfg)
	eventually(t, time.Minute, "the copy to start", func() bool { return run.m.State() == migration.StateCopying })
	e.exec("CREATE TRIGGER corrupt BEFORE INSERT ON _t_new FOR EACH ROW SET NEW.v = IF(NEW.id = 20, -1, NEW.v)")
	os.Remove(hold)
	run.waitState(t, migration.StatePostponed)
	eventually(t, time.Minute, "the early checksum to reach the end", func() bool {
		return strings.Contains(logs.String(), "early checksum reached the end")
	})
	e.exec("DROP TRIGGER corrupt")
	os.Remove(cfg.PostponeFlagFile)
	run.wait(t)
	if !strings.Contains(logs.String(), `"pass":1,"chunks":0,"keys":1,"differing":1`) {
		t.Errorf("the point should have compared only the row the early checksum found, and found it")
	}
	e.compare("_t_old", "t", []string{"id"}, [][2]string{{"v", "v"}})
}
