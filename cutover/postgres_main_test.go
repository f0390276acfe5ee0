package cutover

import (
	"context"
	"database/sql"
	"os"
	"slices"
	"testing"

	"github.com/hotswap/hotswap/internal/testdb"
)

func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

// pgCutOverDB is a fresh database and a pool on it as the hotswap role (not
// a superuser), after running setup.
func pgCutOverDB(t *testing.T, setup ...string) *sql.DB {
	t.Helper()
	db, _ := pgCutOverDBAdmin(t, setup...)
	return db
}

// pgCutOverDBAdmin is pgCutOverDB plus a superuser pool on the database.
func pgCutOverDBAdmin(t *testing.T, setup ...string) (db, admin *sql.DB) {
	t.Helper()
	p := testdb.PostgresServer(t)
	name, admin := p.NewDatabase(t)
	db, err := sql.Open("pgx", p.DSN(name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	pgCutOverExec(t, db, setup...)
	return db, admin
}

func pgCutOverExec(t *testing.T, db interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, stmts ...string) {
	t.Helper()
	for _, st := range stmts {
		if _, err := db.ExecContext(context.Background(), st); err != nil {
			t.Fatalf("%s: %v", st, err)
		}
	}
}

// pgCutOverStrings returns the first column of every row as text, sorted.
func pgCutOverStrings(t *testing.T, db *sql.DB, query string, args ...any) []string {
	t.Helper()
	out := testdb.Strings(t, db, query, args...)
	slices.Sort(out)
	return out
}

func pgCutOverInt(t *testing.T, db *sql.DB, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// pgCutOverState is what a failed attempt must leave as it was.
type pgCutOverState struct {
	tableOID, shadowOID int64
	tableIndexes        []string
	oldExists           bool
	shadowRows          int64
}

func pgCutOverSnapshot(t *testing.T, db *sql.DB) pgCutOverState {
	t.Helper()
	return pgCutOverState{
		tableOID:     pgCutOverInt(t, db, "SELECT 'public.t'::regclass::oid::int8"),
		shadowOID:    pgCutOverInt(t, db, "SELECT 'public._t_new'::regclass::oid::int8"),
		tableIndexes: pgCutOverStrings(t, db, "SELECT indexname::text FROM pg_indexes WHERE tablename = 't'"),
		oldExists:    pgCutOverInt(t, db, "SELECT count(*) FROM pg_class WHERE relname = '_t_old'") > 0,
		shadowRows:   pgCutOverInt(t, db, "SELECT count(*) FROM _t_new"),
	}
}

// pgCutOverUnchanged fails the test if the tables differ from before.
func pgCutOverUnchanged(t *testing.T, db *sql.DB, before pgCutOverState) {
	t.Helper()
	after := pgCutOverSnapshot(t, db)
	if after.tableOID != before.tableOID || after.shadowOID != before.shadowOID || after.oldExists ||
		!slices.Equal(after.tableIndexes, before.tableIndexes) || after.shadowRows != before.shadowRows {
		t.Fatalf("tables changed by a failed attempt: before %+v, after %+v", before, after)
	}
}
