package main

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hotswap/hotswap/internal/testdb"
)

// TestMigrateEnvironments: hotswap.yaml names environments of one or more
// servers. Two environments end at different versions; three servers of one
// are migrated two at a time, each line of output prefixed with its server,
// with the environment's flag defaults; status reports every server; a
// server failing stops the servers after it from starting, and the exit
// status says so; an unknown environment is refused naming the known ones,
// and --revert-window when not every server runs at once (each up stays for
// its windows).
func TestMigrateEnvironments(t *testing.T) {
	srv := testdb.MySQLServer(t)
	var dbs []string
	for range 6 {
		name, _ := srv.NewDatabase(t)
		dbs = append(dbs, name)
	}
	dsn := func(db string) string { return fmt.Sprintf("mysql://%s@%s:%d/%s", srv.User, srv.Host, srv.Port, db) }
	t.Setenv("HOTSWAP_PASSWORD", srv.Password)
	dir := t.TempDir()
	yaml := fmt.Sprintf(`environments:
  staging:
    servers: [%q]
  prod:
    concurrency: 2
    servers: [%q, %q, %q]
    flags: {online-rows: "1000"}
  broken:
    servers: [%q, %q]
`, dsn(dbs[0]), dsn(dbs[1]), dsn(dbs[2]), dsn(dbs[3]), dsn(dbs[4]), dsn(dbs[5]))
	cfg := filepath.Join(dir, "hotswap.yaml")
	mdir := filepath.Join(dir, "migrations")
	os.Mkdir(mdir, 0o700)
	for name, body := range map[string]string{"cfg": yaml, "migrations/0001_a.up.sql": "CREATE TABLE a (id INT PRIMARY KEY);",
		"migrations/0002_b.up.sql": "ALTER TABLE a ADD COLUMN b INT;"} {
		if name == "cfg" {
			name = "hotswap.yaml"
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	migrate := func(args ...string) (int, string, string) {
		return runCaptured(append([]string{"migrate"}, append(args, "--config", cfg, "--dir", mdir)...)...)
	}
	if code, out, errs := migrate("up", "--env", "staging", "--to", "1"); code != exitOK {
		t.Fatalf("up staging --to 1: exit %d\n%s\n%s", code, out, errs)
	}
	code, out, errs := migrate("up", "--env", "prod")
	if code != exitOK {
		t.Fatalf("up prod: exit %d\n%s\n%s", code, out, errs)
	}
	for _, db := range dbs[1:4] {
		if want := fmt.Sprintf("[%s:%d/%s] Version 2 (b) applied", srv.Host, srv.Port, db); !strings.Contains(out, want) {
			t.Fatalf("up prod lacks %q:\n%s", want, out)
		}
	}
	if _, out, _ := migrate("status", "--env", "staging"); !strings.Contains(out, "Current version: 1 (a); 1 pending") {
		t.Fatalf("status staging:\n%s", out)
	}
	if _, out, _ := migrate("status", "--env", "prod"); strings.Count(out, "Current version: 2 (b); 0 pending") != 3 {
		t.Fatalf("status prod:\n%s", out)
	}
	code, _, errs = migrate("up", "--env", "broken", "--to", "1", "--dsn", dsn(dbs[4]))
	if code != exitRefused || !strings.Contains(errs, "leave out --dsn") {
		t.Fatalf("--env with --dsn: exit %d, %s", code, errs)
	}
	code, _, errs = migrate("up", "--env", "prod", "--revert-window", "1m") // prod: three servers, two at a time
	if code != exitRefused || !strings.Contains(errs, "pass --concurrency 3") {
		t.Fatalf("--revert-window with fewer servers at once than the environment has: exit %d, %s", code, errs)
	}
	if err := execIn(srv, dbs[4], "CREATE TABLE a (id INT PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	code, _, errs = migrate("up", "--env", "broken")
	if code != exitFailed || !strings.Contains(errs, "not started (an earlier server failed)") || !strings.Contains(errs, dbs[4]+": version 1 (a) failed") {
		t.Fatalf("a failing server: exit %d\n%s", code, errs)
	}
	if code, _, errs := migrate("status", "--env", "nope"); code != exitRefused || !strings.Contains(errs, "[broken prod staging]") {
		t.Fatalf("an unknown environment: exit %d, %s", code, errs)
	}
}

// execIn runs stmt in database db of srv.
func execIn(srv *testdb.MySQL, db, stmt string) error {
	conn, err := sql.Open("mysql", srv.DSN(db))
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = conn.Exec(stmt)
	return err
}
