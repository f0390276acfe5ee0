package postgres

import (
	"context"
	"database/sql"
	"testing"
)

// tableTestLoad loads public.name and fails the test if it is missing.
func tableTestLoad(t *testing.T, db Querier, name string) *Table {
	t.Helper()
	tab, err := LoadTable(context.Background(), db, "public", name)
	if err != nil || tab == nil {
		t.Fatalf("LoadTable(%s) = %v, %v", name, tab, err)
	}
	return tab
}

// tableTestShadow makes public._t_new from public.t with alter and loads both.
func tableTestShadow(t *testing.T, app *sql.DB, alter string) (src, dst *Table) {
	t.Helper()
	created, err := CreateShadow(context.Background(), app, "public", "t", "_t_new", alter)
	if err != nil || !created {
		t.Fatalf("CreateShadow(%q) = %v, %v", alter, created, err)
	}
	return tableTestLoad(t, app, "t"), tableTestLoad(t, app, "_t_new")
}
