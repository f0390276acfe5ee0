package migration_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hotswap/hotswap/migration"
	"github.com/hotswap/hotswap/throttle"
)

// shadowFault breaks writes to the shadow once the copy runs, as a full
// disk or a lost privilege would.
type shadowFault struct {
	name   string
	inject []string // statements run once the copy runs
	want   string   // in the run's error: the server's own words
	heal   []string // statements (as inject) that remove the fault again
}

// TestShadowWriteErrorsFailCleanly: a full disk (MariaDB: ER_RECORD_FILE_FULL;
// PostgreSQL: SQLSTATE 53100; raised by a trigger the test puts on the
// shadow), a server turned read-only (MariaDB) or a privilege revoked on the
// shadow (PostgreSQL) fails the run with the server's error; the original
// is in place and unchanged, and nothing of the change stream is left. Once
// the cause is gone, --resume finishes the run on MariaDB; on PostgreSQL,
// whose stopped run dropped its checkpoint with its slot, it is refused.
func TestShadowWriteErrorsFailCleanly(t *testing.T) {
	faults := map[string][]shadowFault{
		"mysql": {
			{name: "disk full", want: "The table is full",
				inject: []string{"CREATE TRIGGER full_disk BEFORE INSERT ON _t_new FOR EACH ROW SIGNAL SQLSTATE 'HY000' SET MESSAGE_TEXT = 'The table is full', MYSQL_ERRNO = 1114"},
				heal:   []string{"DROP TRIGGER full_disk"}},
			{name: "read-only server", want: "read-only",
				inject: []string{"SET GLOBAL read_only = ON"}, heal: []string{"SET GLOBAL read_only = OFF"}},
		},
		"postgres": {
			{name: "disk full", want: "could not extend file",
				inject: []string{`CREATE FUNCTION full_disk() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'could not extend file "base/1/2": No space left on device' USING ERRCODE = 'disk_full'; END $$`,
					"CREATE TRIGGER full_disk BEFORE INSERT ON _t_new FOR EACH ROW EXECUTE FUNCTION full_disk()"},
				heal: []string{"DROP TRIGGER full_disk ON _t_new"}},
			{name: "privilege revoked", want: "permission denied",
				inject: []string{"REVOKE INSERT ON _t_new FROM CURRENT_USER"}, heal: []string{"GRANT INSERT ON _t_new TO CURRENT_USER"}},
		},
	}
	resumeRefused := map[string]string{"postgres": "nothing to resume"} // the refusal of --resume, where it has nothing to go on
	forEachEngineCase(t, faults, func(f shadowFault) string { return f.name }, func(t *testing.T, e engineEnv, f shadowFault) {
		e.exec("CREATE TABLE t (id INT PRIMARY KEY, v INT)", "INSERT INTO t SELECT seq, seq FROM "+e.seq(30000))
		before := e.definition("t")
		cfg := faultConfig(t, e.config("t", "ADD COLUMN w INT"))
		run := e.start(cfg)
		run.waitState(t, migration.StateCopying)
		e.exec(f.inject...) // MariaDB: as an administrator; PostgreSQL: as the table's owner, hotswap's role
		t.Cleanup(func() {
			for _, s := range f.heal { // a failed test must not leave the server read-only
				e.writer().Exec(s)
			}
		})
		requireCleanFailure(t, run, f.want)
		if n, def := e.scalar("SELECT COUNT(*) FROM t"), e.definition("t"); n != 30000 || def != before {
			t.Fatalf("the original changed: %d rows\n%s", n, def)
		}
		e.requireNoStreamLeftovers()
		e.exec(f.heal...)
		cfg.Resume = true
		out, err := e.run(cfg)
		if want, ok := resumeRefused[e.engine()]; ok {
			if !migration.IsRefused(err) || !strings.Contains(err.Error(), want) {
				t.Fatalf("want --resume refused with %q, got %v\n%s", want, err, out)
			}
			return
		}
		if err != nil {
			t.Fatalf("resume once the fault is gone: %v\n%s", err, out)
		}
		e.compareRows("_t_old", "t", []string{"id"}, nil)
	})
}

// faultConfig slows the copy so that a fault lands inside it.
func faultConfig(t *testing.T, cfg migration.Config) migration.Config {
	cfg.ChunkSize = 200
	cfg.CheckpointInterval = 100 * time.Millisecond
	cfg.Throttle = throttle.NewSettings()
	if err := cfg.Throttle.Set("nice-ratio", "2"); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func requireCleanFailure(t *testing.T, run *started, want string) {
	t.Helper()
	select {
	case err := <-run.done:
		if err == nil || migration.IsRefused(err) || !strings.Contains(err.Error(), want) {
			t.Fatalf("want a run failure naming %q, got %v", want, err)
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("the run did not fail")
	}
	out := run.out.String()
	for _, s := range []string{"FAILED", "is in place and unchanged", "Left behind: shadow table"} {
		if !strings.Contains(out, s) {
			t.Errorf("the output lacks %q:\n%s", s, out)
		}
	}
}
