package testdb

import (
	"database/sql"
	"strings"
	"testing"
)

func openPostgres(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func TestPostgresRoundTrip(t *testing.T) {
	p := PostgresServer(t)
	name, _ := p.NewDatabase(t)
	db := openPostgres(t, p.DSN(name))
	mustExec(t, db,
		"CREATE TABLE items (id int PRIMARY KEY, name text)",
		"INSERT INTO items VALUES (1, 'alpha'), (2, 'beta'), (3, 'gämma')",
	)
	got := strings.Join(readPairs(t, db, "SELECT id, name FROM items ORDER BY id"), ",")
	if want := "1=alpha,2=beta,3=gämma"; got != want {
		t.Fatalf("rows = %q, want %q", got, want)
	}
	var super, repl, createdb bool
	err := db.QueryRow("SELECT rolsuper, rolreplication, rolcreatedb FROM pg_roles WHERE rolname = current_user").
		Scan(&super, &repl, &createdb)
	if err != nil {
		t.Fatal(err)
	}
	if super || !repl || !createdb {
		t.Fatalf("hotswap role: super=%v replication=%v createdb=%v, want false/true/true", super, repl, createdb)
	}
}
