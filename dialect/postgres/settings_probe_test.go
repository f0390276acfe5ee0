package postgres

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"
)

// TestAlterSettings: the settings an ALTER sets are told apart from the
// table's own, whatever the table holds already (a value the ALTER sets
// again is not its), with the table's index names in the ALTER; nothing is
// left behind. An ALTER a temporary table refuses is an error.
func TestAlterSettings(t *testing.T) {
	_, db, _ := appDB(t,
		"CREATE TABLE t (id int PRIMARY KEY, v text, n int) WITH (fillfactor = 80, autovacuum_enabled = false)",
		"CREATE INDEX t_n_idx ON t (n)",
		"ALTER TABLE t REPLICA IDENTITY FULL",
		"ALTER TABLE t ALTER COLUMN n SET STATISTICS 300",
	)
	ctx := context.Background()
	for _, c := range []struct{ alter, want string }{
		{"SET (fillfactor = 70), ALTER COLUMN v SET STATISTICS 500", "opt::fillfactor,stat:v"},
		{"RESET (autovacuum_enabled), ALTER COLUMN n SET (n_distinct = -1)", "opt::autovacuum_enabled,opt:n:n_distinct"},
		{"REPLICA IDENTITY USING INDEX t_pkey, CLUSTER ON t_n_idx", "cluster,replident"},
		{"REPLICA IDENTITY FULL, SET (fillfactor = 80), ADD COLUMN w int", "stat:w"},
		{"DROP COLUMN n", "stat:n"},
	} {
		set, err := AlterSettings(ctx, db, "public", "t", c.alter)
		if err != nil {
			t.Fatalf("AlterSettings(%q): %v", c.alter, err)
		}
		if got := strings.Join(slices.Sorted(maps.Keys(set)), ","); got != c.want {
			t.Errorf("AlterSettings(%q) = %s, want %s", c.alter, got, c.want)
		}
	}
	if _, err := AlterSettings(ctx, db, "public", "t", "SET UNLOGGED"); err == nil {
		t.Error("SET UNLOGGED on a temporary copy: want an error")
	}
	if got := objectsTestRows(t, db, "SELECT count(*)::text FROM pg_class WHERE relname = '"+settingsProbe+"'"); got[0] != "0" {
		t.Errorf("probe tables left: %s", got[0])
	}
}
