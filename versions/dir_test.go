package versions

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadReadsGolangMigrateLayout: versions come in numeric order with
// their name, up and down text; a version without a down file is marked
// so; other files are ignored; the checksum follows the up file.
func TestLoadReadsGolangMigrateLayout(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"0001_create.up.sql":   "CREATE TABLE t (id INT PRIMARY KEY);",
		"0001_create.down.sql": "DROP TABLE t;",
		"0010_wide.up.sql":     "ALTER TABLE t ADD COLUMN c INT;",
		"0002_seed.up.sql":     "INSERT INTO t VALUES (1);",
		"README.md":            "not a migration",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	vs, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range vs {
		got = append(got, v.Name)
	}
	if strings.Join(got, ",") != "create,seed,wide" || vs[2].Number != 10 {
		t.Fatalf("versions %v (last %d)", got, vs[2].Number)
	}
	if !vs[0].HasDown || vs[0].Down != "DROP TABLE t;" || vs[1].HasDown {
		t.Fatalf("down files: %+v", vs[:2])
	}
	if vs[0].Checksum == vs[1].Checksum || len(vs[0].Checksum) != 64 {
		t.Fatalf("checksums %q %q", vs[0].Checksum, vs[1].Checksum)
	}
	if _, err := Load(filepath.Join(dir, "nope")); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Fatalf("a missing directory: %v", err)
	}
	empty := t.TempDir()
	if _, err := Load(empty); err == nil || !strings.Contains(err.Error(), "no migration files") {
		t.Fatalf("an empty directory: %v", err)
	}
}
