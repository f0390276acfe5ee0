package testdb

import (
	"database/sql"
	"strings"
	"testing"
)

// openMySQL opens a pool for dsn and closes it when the test ends.
func openMySQL(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func mustExec(t *testing.T, db *sql.DB, stmts ...string) {
	t.Helper()
	for _, stmt := range stmts {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
}

// readPairs returns "id=name" strings of table t ordered by id.
func readPairs(t *testing.T, db *sql.DB, query string) []string {
	t.Helper()
	rows, err := db.Query(query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			t.Fatalf("scan: %v", err)
		}
		got = append(got, id+"="+name)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("rows: %v", err)
	}
	return got
}

func TestMySQLRoundTrip(t *testing.T) {
	s := MySQLServer(t)
	name, _ := s.NewDatabase(t)
	db := openMySQL(t, s.DSN(name))
	mustExec(t, db,
		"CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(50)) ENGINE=InnoDB",
		"INSERT INTO items VALUES (1, 'alpha'), (2, 'beta'), (3, 'gämma')",
	)
	got := strings.Join(readPairs(t, db, "SELECT id, name FROM items ORDER BY id"), ",")
	if want := "1=alpha,2=beta,3=gämma"; got != want {
		t.Fatalf("rows = %q, want %q", got, want)
	}
	var user string
	if err := db.QueryRow("SELECT CURRENT_USER()").Scan(&user); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(user, "hotswap@") {
		t.Fatalf("connected as %q, want the hotswap user", user)
	}
}

// The hotswap user must have what MySQLGrants says and no more: it may read
// the binlog position but not change server settings.
func TestMySQLPrivileges(t *testing.T) {
	s := MySQLServer(t)
	db := openMySQL(t, s.DSN(""))
	rows, err := db.Query("SHOW MASTER STATUS")
	if err != nil {
		t.Fatalf("SHOW MASTER STATUS as hotswap: %v", err)
	}
	_ = rows.Close()
	if _, err := db.Exec("SET GLOBAL max_connections = 501"); err == nil {
		t.Fatal("hotswap user could SET GLOBAL; it must not have SUPER")
	}
}

func TestMySQLRestart(t *testing.T) {
	s := MySQLServer(t)
	name, admin := s.NewDatabase(t)
	mustExec(t, admin, "CREATE TABLE kept (id INT PRIMARY KEY, name VARCHAR(10))", "INSERT INTO kept VALUES (7, 'seven')")
	s.Restart(t)
	db := openMySQL(t, s.DSN(name))
	if got := readPairs(t, db, "SELECT id, name FROM kept"); len(got) != 1 || got[0] != "7=seven" {
		t.Fatalf("after restart rows = %v, want [7=seven]", got)
	}
}
