package migration_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hotswap/hotswap/migration"
	"github.com/hotswap/hotswap/throttle"
)

// restartCase is one engine's side of the server-restart test.
type restartCase struct {
	cfg     migration.Config
	start   func(migration.Config) *started
	restart func()
	run     func(migration.Config) (string, error)
	compare func()
}

// TestServerRestartMidCopyThenResume restarts the server while a run copies:
// the run fails within a bound, saying how to resume, with the table in
// place; once the server is back, --resume finishes from the checkpoint and
// the new table holds every row of the old one, column by column.
func TestServerRestartMidCopyThenResume(t *testing.T) {
	t.Run("mysql", func(t *testing.T) {
		e := newEnv(t)
		e.exec("CREATE TABLE t (id INT PRIMARY KEY, v INT, s VARCHAR(32))",
			"INSERT INTO t SELECT seq, seq, CONCAT('r', seq) FROM seq_1_to_60000")
		runRestartCase(t, restartCase{cfg: e.config("t", "ADD COLUMN w INT DEFAULT 3"), start: e.start,
			restart: func() { e.srv.Restart(t) }, run: e.run,
			compare: func() { e.compare("_t_old", "t", []string{"id"}, [][2]string{{"id", "id"}, {"v", "v"}, {"s", "s"}}) }})
	})
	t.Run("postgres", func(t *testing.T) {
		e := newPGEnv(t)
		e.exec("CREATE TABLE t (id int PRIMARY KEY, v int, s varchar(32))",
			"INSERT INTO t SELECT g, g, 'r' || g FROM generate_series(1, 60000) g")
		runRestartCase(t, restartCase{cfg: e.config("t", "ADD COLUMN w int DEFAULT 3"), start: e.start,
			restart: func() { e.srv.Restart(t) }, run: e.run,
			compare: func() { e.compare("_t_old", "t", []string{"id"}, nil); e.requireNoSlotsOrPublications() }})
	})
}

func runRestartCase(t *testing.T, c restartCase) {
	cfg := c.cfg
	cfg.ChunkSize = 200
	cfg.CheckpointInterval = 100 * time.Millisecond
	cfg.Throttle = throttle.NewSettings()
	if err := cfg.Throttle.Set("nice-ratio", "2"); err != nil {
		t.Fatal(err)
	}
	run := c.start(cfg)
	run.waitState(t, migration.StateCopying)
	for run.m.Copied() < 15000 {
		time.Sleep(5 * time.Millisecond)
	}
	c.restart()
	select {
	case err := <-run.done:
		if err == nil || migration.IsRefused(err) {
			t.Fatalf("want the run to fail when its server went away, got %v", err)
		}
		if out := run.out.String(); !strings.Contains(out, "--resume") {
			t.Fatalf("the failure does not say how to resume:\n%s", out)
		}
		t.Logf("first run: %v", err)
	case <-time.After(3 * time.Minute):
		t.Fatal("the run did not end within 3 minutes of the restart")
	}
	cfg.Resume = true
	out, err := c.run(cfg)
	if err != nil {
		t.Fatalf("resume after the restart: %v\n%s", err, out)
	}
	if !strings.Contains(out, "rows up to key") {
		t.Errorf("the resume did not continue from the copy's watermark:\n%s", out)
	}
	c.compare()
}
