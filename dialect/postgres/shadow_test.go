package postgres

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

func TestShadowCreate(t *testing.T) {
	_, app, _ := appDB(t, "CREATE TABLE t (id bigint PRIMARY KEY, a text DEFAULT 'x', CHECK (id > 0))", "CREATE INDEX t_a ON t (a)")
	_, dst := tableTestShadow(t, app, "ADD COLUMN n int NOT NULL DEFAULT 7;") // a trailing ";" is fine
	if len(dst.Columns) != 3 || dst.Columns[2].Name != "n" || !dst.Columns[2].NotNull {
		t.Fatalf("shadow columns = %+v", dst.Columns)
	}
	desc, err := DescribeTable(context.Background(), app, "public", "_t_new")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"a text DEFAULT 'x'::text", "(a)", "PRIMARY KEY (id)", "CHECK ((id > 0))"} {
		if !strings.Contains(desc, want) {
			t.Errorf("shadow lacks %q (INCLUDING ALL):\n%s", want, desc)
		}
	}
}

// A second statement after ";" must never run: the ALTER goes over the
// extended protocol, which takes one statement.
func TestShadowRejectsSecondStatement(t *testing.T) {
	ctx := context.Background()
	_, app, _ := appDB(t, "CREATE TABLE t (id int PRIMARY KEY)", "CREATE TABLE victim (id int)")
	for _, alter := range []string{
		"ADD COLUMN x int; DROP TABLE victim",
		"ADD COLUMN x int; CREATE TABLE planted (id int)",
	} {
		created, err := CreateShadow(ctx, app, "public", "t", "_t_new", alter)
		if created || err == nil || !strings.Contains(err.Error(), "the ALTER is not valid for public.t: ") ||
			!strings.HasSuffix(err.Error(), "(nothing was changed)") {
			t.Fatalf("CreateShadow(%q) = %v, %v", alter, created, err)
		}
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) {
			t.Fatalf("the server's error is not wrapped: %v", err)
		}
	}
	for name, want := range map[string]bool{"victim": true, "planted": false, "_t_new": false} {
		if ok, err := TableExists(ctx, app, "public", name); err != nil || ok != want {
			t.Fatalf("%s exists = %v, %v; want %v", name, ok, err, want)
		}
	}
	if cols := tableTestLoad(t, app, "t").Columns; len(cols) != 1 {
		t.Fatalf("source changed: %+v", cols)
	}
}

func TestShadowInvalidAlter(t *testing.T) {
	ctx := context.Background()
	_, app, _ := appDB(t, "CREATE TABLE t (id int PRIMARY KEY)")
	created, err := CreateShadow(ctx, app, "public", "t", "_t_new", "DROP COLUMN nope")
	if created || err == nil || !strings.Contains(err.Error(), `column "nope"`) {
		t.Fatalf("CreateShadow = %v, %v", created, err)
	}
	if ok, _ := TableExists(ctx, app, "public", "_t_new"); ok {
		t.Fatal("the shadow was left behind")
	}
	// A shadow name already taken fails before anything is made.
	if _, err := app.Exec("CREATE TABLE _t_new (x int)"); err != nil {
		t.Fatal(err)
	}
	created, err = CreateShadow(ctx, app, "public", "t", "_t_new", "ADD COLUMN y int")
	if created || err == nil || !strings.Contains(err.Error(), "create shadow table public._t_new") {
		t.Fatalf("CreateShadow on a taken name = %v, %v", created, err)
	}
}

func TestShadowRefusesRenameAndMove(t *testing.T) {
	ctx := context.Background()
	_, app, _ := appDB(t, "CREATE TABLE t (id int PRIMARY KEY)", "CREATE SCHEMA other")
	for alter, want := range map[string]string{
		"RENAME TO t2":       "the ALTER renames the table: hotswap changes a table in place; rename it separately with ALTER TABLE ... RENAME TO",
		"SET SCHEMA other":   "the ALTER moves the table to schema other: hotswap changes a table in place; move it separately with ALTER TABLE ... SET SCHEMA",
		"RENAME TO \"_t_x\"": "the ALTER renames the table",
	} {
		created, err := CreateShadow(ctx, app, "public", "t", "_t_new", alter)
		if created || err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Fatalf("CreateShadow(%q) = %v, %v; want %q", alter, created, err, want)
		}
	}
	left := objectsTestRows(t, app, `SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relkind = 'r' AND n.nspname IN ('public', 'other') ORDER BY 1`)
	if strings.Join(left, ",") != "t" {
		t.Fatalf("tables left: %v; want only t", left)
	}
}
