package migration_test

import (
	"context"
	"strings"
	"testing"

	"github.com/hotswap/hotswap/dialect/postgres"
	"github.com/hotswap/hotswap/migration"
)

// TestCleanupMySQL: a shadow, a checkpoint and a sentry left by a dead run are shown, then
// dropped with Execute; a finished run's old table is never dropped.
func TestCleanupMySQL(t *testing.T) {
	e := newEnv(t)
	e.exec("CREATE TABLE t (id INT PRIMARY KEY)", "CREATE TABLE _t_new (id INT PRIMARY KEY)", "CREATE TABLE _t_chk (id INT PRIMARY KEY)",
		"CREATE TABLE _t_old (id INT PRIMARY KEY) COMMENT='hotswap cut-over sentry: safe to drop when no hotswap runs'",
		"CREATE TABLE u (id INT PRIMARY KEY)", "CREATE TABLE _u_old (id INT PRIMARY KEY)")
	cfg := e.config("t", "")
	cfg.Execute = false
	out := cleanup(t, cfg)
	if !strings.Contains(out, "shadow table") || !strings.Contains(out, "cut-over sentry") || !strings.Contains(out, "checkpoint table") || e.tables() != "_t_chk,_t_new,_t_old,_u_old,t,u" {
		t.Fatalf("listing changed something or missed a leftover: %s\n%s", e.tables(), out)
	}
	cfg.Execute = true
	cleanup(t, cfg)
	if e.tables() != "_u_old,t,u" {
		t.Fatalf("after cleanup: %s", e.tables())
	}
	ucfg := e.config("u", "")
	ucfg.Execute = true
	if out := cleanup(t, ucfg); !strings.Contains(out, "old table of a finished run") || e.tables() != "_u_old,t,u" {
		t.Fatalf("the old table of a finished run was not kept: %s\n%s", e.tables(), out)
	}
}

// TestCleanupPostgres: shadow, slot and publication of a dead run go.
func TestCleanupPostgres(t *testing.T) {
	e := newPGEnv(t)
	e.exec("CREATE TABLE t (id int PRIMARY KEY)", "CREATE TABLE _t_new (id int PRIMARY KEY)")
	cfg := e.config("t", "")
	// a dead run's slot and publication, under the names a run uses
	name := postgres.SlotName(e.db+".public", "t")
	e.exec("CREATE PUBLICATION " + name + " FOR TABLE t")
	if _, err := e.admin.Exec("SELECT pg_create_logical_replication_slot($1, 'pgoutput')", name); err != nil {
		t.Fatal(err)
	}
	dry := cfg
	dry.Execute = false
	if out := cleanup(t, dry); !strings.Contains(out, "shadow table public._t_new") || !strings.Contains(out, "replication slot "+name) ||
		!strings.Contains(out, "publication "+name) {
		t.Fatalf("leftovers not listed:\n%s", out)
	}
	e.exec("CREATE PUBLICATION hotswap_stray_test FOR TABLE t")
	cfg.Execute = true
	out := cleanup(t, cfg)
	if e.scalar("SELECT count(*) FROM pg_class WHERE relname = '_t_new'") != 0 {
		t.Fatalf("shadow not dropped:\n%s", out)
	}
	if e.scalar("SELECT count(*) FROM pg_publication WHERE pubname = 'hotswap_stray_test'") != 1 {
		t.Fatal("a publication of another name was dropped")
	}
	e.exec("DROP PUBLICATION hotswap_stray_test")
	e.requireNoSlotsOrPublications()
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
