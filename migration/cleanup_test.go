package migration_test

import (
	"context"
	"strings"
	"testing"

	"github.com/hotswap/hotswap/dialect/postgres"
	"github.com/hotswap/hotswap/migration"
)

// TestCleanupDropsWhatADeadRunLeft: what a dead run left (a shadow and a
// checkpoint table; on MariaDB also a cut-over sentry, on PostgreSQL its
// replication slot and publication) is listed without any change, then
// dropped with Execute, nothing of the change stream left. What is not a
// dead run's is kept: the old table of a finished run, even by a cleanup of
// that run's table, and on PostgreSQL a publication of another name.
func TestCleanupDropsWhatADeadRunLeft(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engineEnv) {
		cfg := e.config("t", "")
		name := postgres.SlotName(cfg.Conn.Database+".public", "t") // the slot and publication of a PostgreSQL run on t
		deadRun := map[string]struct {
			setup    []string // besides the shadow and checkpoint tables
			listed   []string // besides "shadow table" and "checkpoint table"
			tables   string   // the tables before the cleanup
			kept     []scalarWant
			keptSays string // cleaning up u, which has only a finished run's old table
			teardown []string
		}{
			"mysql": {
				setup:    []string{"CREATE TABLE _t_old (id INT PRIMARY KEY) COMMENT='hotswap cut-over sentry: safe to drop when no hotswap runs'"},
				listed:   []string{"cut-over sentry"},
				tables:   "_t_chk,_t_new,_t_old,_u_old,t,u",
				keptSays: "old table of a finished run",
			},
			"postgres": {
				setup: []string{"CREATE PUBLICATION " + name + " FOR TABLE t", "SELECT pg_create_logical_replication_slot('" + name + "', 'pgoutput')",
					"CREATE PUBLICATION hotswap_stray_test FOR TABLE t"},
				listed:   []string{"shadow table public._t_new", "checkpoint table public._t_chk", "replication slot " + name, "publication " + name},
				tables:   "_t_chk,_t_new,_u_old,t,u",
				kept:     []scalarWant{{"SELECT count(*) FROM pg_publication WHERE pubname = 'hotswap_stray_test'", 1}},
				keptSays: "Nothing left behind",
				teardown: []string{"DROP PUBLICATION hotswap_stray_test"},
			},
		}[e.engine()]
		e.exec("CREATE TABLE t (id INT PRIMARY KEY)", "CREATE TABLE _t_new (id INT PRIMARY KEY)", "CREATE TABLE _t_chk (id INT PRIMARY KEY)",
			"CREATE TABLE u (id INT PRIMARY KEY)", "CREATE TABLE _u_old (id INT PRIMARY KEY)")
		e.exec(deadRun.setup...)
		cfg.Execute = false
		out := cleanup(t, cfg)
		for _, w := range append(deadRun.listed, "shadow table", "checkpoint table") {
			if !strings.Contains(out, w) {
				t.Errorf("leftover %q not listed:\n%s", w, out)
			}
		}
		if e.tables() != deadRun.tables {
			t.Fatalf("listing changed something: %s\n%s", e.tables(), out)
		}
		cfg.Execute = true
		out = cleanup(t, cfg)
		if e.tables() != "_u_old,t,u" {
			t.Fatalf("after cleanup: %s\n%s", e.tables(), out)
		}
		requireScalars(t, e, deadRun.kept...)
		ucfg := e.config("u", "")
		ucfg.Execute = true
		if out := cleanup(t, ucfg); !strings.Contains(out, deadRun.keptSays) || e.tables() != "_u_old,t,u" {
			t.Fatalf("the old table of a finished run was not kept: %s\n%s", e.tables(), out)
		}
		e.exec(deadRun.teardown...)
		e.requireNoStreamLeftovers()
	})
}

func cleanup(t *testing.T, cfg migration.Config) string {
	t.Helper()
	out := &syncBuffer{}
	cfg.Out = out
	if err := migration.Cleanup(context.Background(), cfg); err != nil {
		t.Fatalf("cleanup: %v\n%s", err, out)
	}
	return out.String()
}
