package migration_test

import (
	"context"
	"strings"
	"testing"

	"github.com/hotswap/hotswap/dialect/mysql"
	"github.com/hotswap/hotswap/dialect/postgres"
	"github.com/hotswap/hotswap/migration"
)

// TestResumeRefusalsMySQL: --resume without a checkpoint, or onto a shadow
// whose columns are not the checkpoint's, is refused with the reason and
// changes nothing.
func TestResumeRefusalsMySQL(t *testing.T) {
	e := newEnv(t)
	e.exec("CREATE TABLE t (id INT PRIMARY KEY, v INT)", "INSERT INTO t SELECT seq, seq FROM seq_1_to_100")
	cfg := e.config("t", "ADD COLUMN w INT")
	cfg.Resume = true
	if out, err := e.run(cfg); !migration.IsRefused(err) || !strings.Contains(err.Error(), "nothing to resume") {
		t.Fatalf("resume without a checkpoint: %v\n%s", err, out)
	}
	e.exec("CREATE TABLE _t_new LIKE t", "ALTER TABLE _t_new ADD COLUMN w INT")
	ctx := context.Background()
	if err := mysql.CreateCheckpoint(ctx, e.admin, e.db, "_t_chk"); err != nil {
		t.Fatal(err)
	}
	state := `{"stream":"binlog.000001:4","columns":"id int(11), v int(11), gone int(11) => id int(11), v int(11), w int(11)"}`
	if err := mysql.SaveCheckpoint(ctx, e.admin, e.db, "_t_chk", cfg.Alter, state); err != nil {
		t.Fatal(err)
	}
	before := e.tables()
	if out, err := e.run(cfg); !migration.IsRefused(err) || !strings.Contains(err.Error(), "changed since the checkpoint") {
		t.Fatalf("resume onto changed tables: %v\n%s", err, out)
	}
	if e.tables() != before || e.count("t") != 100 {
		t.Fatalf("a refused resume changed something: %s", e.tables())
	}

	// the binary log the checkpoint resumes from is gone (purged)
	state = `{"stream":"hotswap-purged-bin.000001:4","columns":"id int(11), v int(11) => id int(11), v int(11), w int(11)"}`
	if err := mysql.SaveCheckpoint(ctx, e.admin, e.db, "_t_chk", cfg.Alter, state); err != nil {
		t.Fatal(err)
	}
	if out, err := e.run(cfg); !migration.IsRefused(err) || !strings.Contains(err.Error(), "hotswap-purged-bin.000001 (position hotswap-purged-bin.000001:4) was purged; the oldest one left is binlog.") {
		t.Fatalf("resume from a purged binary log: %v\n%s", err, out)
	}
	if e.tables() != before || e.count("t") != 100 || e.count("_t_new") != 0 {
		t.Fatalf("a refused resume changed something: %s", e.tables())
	}
}

// TestResumeBeforeFirstCheckpointStartsOver: a run killed before its first
// checkpoint leaves a shadow and an empty checkpoint table; a dry run of
// --resume says so and changes nothing, --execute --resume drops them and
// runs the migration afresh (on PostgreSQL with the dead run's slot and
// publication gone too).
func TestResumeBeforeFirstCheckpointStartsOver(t *testing.T) {
	t.Run("mysql", func(t *testing.T) {
		e := newEnv(t)
		e.exec("CREATE TABLE t (id INT PRIMARY KEY, v INT)", "INSERT INTO t SELECT seq, seq FROM seq_1_to_3000",
			"CREATE TABLE _t_new LIKE t")
		if err := mysql.CreateCheckpoint(context.Background(), e.admin, e.db, "_t_chk"); err != nil {
			t.Fatal(err)
		}
		cfg := e.config("t", "ADD COLUMN w INT")
		cfg.Resume = true
		requireStartsOver(t, cfg, e.run, e.tables)
		e.compare("_t_old", "t", []string{"id"}, [][2]string{{"id", "id"}, {"v", "v"}})
	})
	t.Run("postgres", func(t *testing.T) {
		e := newPGEnv(t)
		e.exec("CREATE TABLE t (id int PRIMARY KEY, v int)", "INSERT INTO t SELECT g, g FROM generate_series(1, 3000) g",
			"CREATE TABLE _t_new (LIKE t INCLUDING ALL)")
		if err := postgres.CreateCheckpoint(context.Background(), e.app, "public", "_t_chk"); err != nil {
			t.Fatal(err)
		}
		cfg := e.config("t", "ADD COLUMN w int")
		cfg.Resume = true
		tables := func() string {
			var s string
			e.admin.QueryRow("SELECT coalesce(string_agg(relname::text, ',' ORDER BY relname), '') FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'").Scan(&s)
			return s
		}
		requireStartsOver(t, cfg, e.run, tables)
		e.compare("_t_old", "t", []string{"id"}, nil)
		e.requireNoSlotsOrPublications()
	})
}

func requireStartsOver(t *testing.T, cfg migration.Config, run func(migration.Config) (string, error), tables func() string) {
	t.Helper()
	cfg.Execute = false
	before := tables()
	if out, err := run(cfg); !migration.IsRefused(err) || !strings.Contains(err.Error(), "before its first checkpoint") || tables() != before {
		t.Fatalf("dry run of the resume: %v (tables %s, before %s)\n%s", err, tables(), before, out)
	}
	cfg.Execute = true
	out, err := run(cfg)
	if err != nil || !strings.Contains(out, "starting it over") {
		t.Fatalf("resume before the first checkpoint: %v\n%s", err, out)
	}
	if got := tables(); got != "_t_old,t" {
		t.Fatalf("tables after starting over: %s", got)
	}
}
