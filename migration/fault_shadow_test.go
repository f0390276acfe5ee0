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
	inject []string // statements run (as an administrator) once the copy runs
	want   string   // in the run's error: the server's own words
	heal   []string // statements that remove the fault again
}

// TestShadowWriteErrorsFailCleanlyMySQL: a full table (ER_RECORD_FILE_FULL,
// raised by a trigger the test puts on the shadow) or a server turned
// read-only fails the run with the server's error; the original is in
// place and unchanged; once the cause is gone, --resume finishes the run.
func TestShadowWriteErrorsFailCleanlyMySQL(t *testing.T) {
	faults := []shadowFault{
		{name: "disk full", want: "The table is full",
			inject: []string{"CREATE TRIGGER full_disk BEFORE INSERT ON _t_new FOR EACH ROW SIGNAL SQLSTATE 'HY000' SET MESSAGE_TEXT = 'The table is full', MYSQL_ERRNO = 1114"},
			heal:   []string{"DROP TRIGGER full_disk"}},
		{name: "read-only server", want: "read-only",
			inject: []string{"SET GLOBAL read_only = ON"}, heal: []string{"SET GLOBAL read_only = OFF"}},
	}
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			e := newEnv(t)
			e.exec("CREATE TABLE t (id INT PRIMARY KEY, v INT)", "INSERT INTO t SELECT seq, seq FROM seq_1_to_30000")
			before := e.showCreate("t")
			cfg := faultConfig(t, e.config("t", "ADD COLUMN w INT"))
			run := e.start(cfg)
			run.waitState(t, migration.StateCopying)
			e.exec(f.inject...)
			t.Cleanup(func() { e.admin.Exec("SET GLOBAL read_only = OFF") })
			requireCleanFailure(t, run, f.want)
			if e.count("t") != 30000 || e.showCreate("t") != before {
				t.Fatalf("the original changed: %d rows\n%s", e.count("t"), e.showCreate("t"))
			}
			e.exec(f.heal...)
			cfg.Resume = true
			if out, err := e.run(cfg); err != nil {
				t.Fatalf("resume once the fault is gone: %v\n%s", err, out)
			}
			e.compare("_t_old", "t", []string{"id"}, [][2]string{{"id", "id"}, {"v", "v"}})
		})
	}
}

// TestShadowWriteErrorsFailCleanlyPostgres: a full disk (SQLSTATE 53100,
// raised by a trigger on the shadow) or a privilege revoked on the shadow
// fails the run with the server's error, the original in place and
// unchanged, and the slot and publication dropped.
func TestShadowWriteErrorsFailCleanlyPostgres(t *testing.T) {
	faults := []shadowFault{
		{name: "disk full", want: "could not extend file",
			inject: []string{`CREATE FUNCTION full_disk() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'could not extend file "base/1/2": No space left on device' USING ERRCODE = 'disk_full'; END $$`,
				"CREATE TRIGGER full_disk BEFORE INSERT ON _t_new FOR EACH ROW EXECUTE FUNCTION full_disk()"}},
		{name: "privilege revoked", want: "permission denied",
			inject: []string{"REVOKE INSERT ON _t_new FROM CURRENT_USER"}},
	}
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			e := newPGEnv(t)
			e.exec("CREATE TABLE t (id int PRIMARY KEY, v int)", "INSERT INTO t SELECT g, g FROM generate_series(1, 30000) g")
			cfg := faultConfig(t, e.config("t", "ADD COLUMN w int"))
			run := e.start(cfg)
			run.waitState(t, migration.StateCopying)
			e.exec(f.inject...) // as the table's owner, hotswap's role
			requireCleanFailure(t, run, f.want)
			if n := e.scalar("SELECT count(*) FROM t"); n != 30000 {
				t.Fatalf("the original has %d rows", n)
			}
			if _, ok := e.columns("t")["w"]; ok {
				t.Fatal("the original got the new column")
			}
			e.requireNoSlotsOrPublications()
		})
	}
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
