package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hotswap/hotswap/internal/testdb"
)

// TestLintCommand: hotswap lint exits 2 naming the rule and the waiver when
// a pending version drops a column of a table in use, 0 once the statement
// carries the waiver; migrate up refuses the same directory, running
// nothing, until then.
func TestLintCommand(t *testing.T) {
	srv := testdb.MySQLServer(t)
	db, admin := srv.NewDatabase(t)
	if _, err := admin.Exec("CREATE TABLE t (id INT PRIMARY KEY, legacy INT)"); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOTSWAP_PASSWORD", srv.Password)
	dir := t.TempDir()
	file := filepath.Join(dir, "0001_drop.up.sql")
	os.WriteFile(file, []byte("ALTER TABLE t DROP COLUMN legacy;\n"), 0o600)
	args := []string{"--dsn", fmt.Sprintf("mysql://%s@%s:%d/%s", srv.User, srv.Host, srv.Port, db), "--dir", dir}
	code, out, errs := runCaptured(append([]string{"lint"}, args...)...)
	if code != exitRefused || !strings.Contains(out, "drop-column") || !strings.Contains(out, "hotswap:allow drop-column") {
		t.Fatalf("lint of a drop: exit %d\n%s\n%s", code, out, errs)
	}
	if code, _, errs := runCaptured(append([]string{"migrate", "up"}, args...)...); code != exitRefused || !strings.Contains(errs, "drop-column") {
		t.Fatalf("migrate up of a drop: exit %d\n%s", code, errs)
	}
	var n int
	if err := admin.QueryRow("SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 't' AND COLUMN_NAME = 'legacy'").Scan(&n); err != nil || n != 1 {
		t.Fatalf("a refused up dropped the column (%d, %v)", n, err)
	}
	os.WriteFile(file, []byte("-- hotswap:allow drop-column (no reader left since release 41)\nALTER TABLE t DROP COLUMN legacy;\n"), 0o600)
	if code, out, errs := runCaptured(append([]string{"lint"}, args...)...); code != exitOK || !strings.Contains(out, "waived") {
		t.Fatalf("lint of a waived drop: exit %d\n%s\n%s", code, out, errs)
	}
	if code, out, errs := runCaptured(append([]string{"migrate", "up"}, args...)...); code != exitOK {
		t.Fatalf("migrate up of a waived drop: exit %d\n%s\n%s", code, out, errs)
	}
}
