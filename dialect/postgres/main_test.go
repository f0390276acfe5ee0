package postgres

import (
	"database/sql"
	"os"
	"testing"

	"github.com/hotswap/hotswap/internal/testdb"
)

func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

// appDB is a fresh database and a pool on it as the hotswap role (not a
// superuser), after running setup; admin is the superuser's pool.
func appDB(t *testing.T, setup ...string) (name string, app, admin *sql.DB) {
	t.Helper()
	p := testdb.PostgresServer(t)
	name, admin = p.NewDatabase(t)
	app, err := sql.Open("pgx", p.DSN(name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = app.Close() })
	for _, st := range setup {
		if _, err := app.Exec(st); err != nil {
			t.Fatalf("%s: %v", st, err)
		}
	}
	return name, app, admin
}
