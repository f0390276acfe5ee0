package migration_test

import (
	"strings"
	"testing"
)

// A key the ALTER replaces by a wider unique key that starts with it still
// identifies the rows: the copy chunks by the old key, the resync deletes and
// re-inserts by it, and the checksum joins on it, while the workload changes
// rows and their keys.
func TestAlterKeyContainedInNewKey(t *testing.T) {
	for _, c := range []struct {
		name, create, alter, newKey string
		key                         []string
	}{
		{"primary key extended",
			"CREATE TABLE t (id BIGINT PRIMARY KEY, i INT NOT NULL, s VARCHAR(30), wl_ver BIGINT)",
			"DROP PRIMARY KEY, ADD PRIMARY KEY (id, i)", "PRIMARY KEY (`id`,`i`)", nil},
		{"primary key replaced by a wider unique key",
			"CREATE TABLE t (id BIGINT PRIMARY KEY, i INT NOT NULL, s VARCHAR(30), wl_ver BIGINT)",
			"DROP PRIMARY KEY, ADD UNIQUE KEY uk (id, i), ADD COLUMN w INT", "UNIQUE KEY `uk` (`id`,`i`)", nil},
		{"composite primary key extended",
			"CREATE TABLE t (k1 INT NOT NULL, k2 VARCHAR(20) NOT NULL, v INT NOT NULL, wl_ver BIGINT, PRIMARY KEY (k1, k2))",
			"DROP PRIMARY KEY, ADD PRIMARY KEY (k1, k2, v)", "PRIMARY KEY (`k1`,`k2`,`v`)", []string{"k1", "k2"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			e.exec(c.create)
			parityRun{alter: c.alter, rows: 2000, key: c.key}.run(t, e)
			if ddl := e.showCreate("t"); !strings.Contains(ddl, c.newKey) {
				t.Errorf("the new table lacks %s:\n%s", c.newKey, ddl)
			}
		})
	}
}

// The plan names the new key whose leading columns the old key is.
func TestDryRunWidenedKey(t *testing.T) {
	e := newEnv(t)
	e.exec("CREATE TABLE t (id INT PRIMARY KEY, i INT NOT NULL)", "INSERT INTO t VALUES (1, 1), (2, 1)")
	cfg := e.config("t", "DROP PRIMARY KEY, ADD PRIMARY KEY (id, i)")
	cfg.Execute = false
	out, err := e.run(cfg)
	if err != nil {
		t.Fatalf("dry run: %v\n%s", err, out)
	}
	if want := "Row key: PRIMARY (id); in the new table, the leading columns of PRIMARY (id, i)"; !strings.Contains(out, want) {
		t.Errorf("plan lacks %q:\n%s", want, out)
	}
	if got := e.tables(); got != "t" {
		t.Errorf("a dry run left tables %s", got)
	}
}
