package migration_test

import (
	"strings"
	"testing"
)

// An ALTER that names AUTO_INCREMENT = N ends, as the server's own ALTER
// does, with max(N, max(id)+1); one that names none keeps the old counter.
// The other table options it names are kept through the swap. The table's
// counter starts far above its rows (a top id inserted then deleted), so
// keeping the old counter and honouring N give different values.
func TestAlterAutoIncrementAndTableOptions(t *testing.T) {
	const create = "CREATE TABLE t (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, a INT, s VARCHAR(40), wl_ver BIGINT) ROW_FORMAT=DYNAMIC"
	for _, c := range []struct {
		name, alter string
		want        func(e *env) int64 // the final counter
		options     []string           // in SHOW CREATE TABLE afterwards
	}{
		{"raised with options", "AUTO_INCREMENT = 5000000, COMMENT 'kept', ROW_FORMAT=COMPACT, STATS_SAMPLE_PAGES=16, ADD COLUMN w INT",
			func(*env) int64 { return 5000000 }, []string{"AUTO_INCREMENT=5000000", "COMMENT='kept'", "ROW_FORMAT=COMPACT", "STATS_SAMPLE_PAGES=16"}},
		{"below the rows", "AUTO_INCREMENT=7, ADD COLUMN w INT",
			func(e *env) int64 { return e.scalar("SELECT MAX(id) + 1 FROM t") }, nil},
		{"not named", "ADD COLUMN w INT, DEFAULT CHARSET=latin1",
			func(*env) int64 { return 1000001 }, []string{"DEFAULT CHARSET=latin1", "ROW_FORMAT=DYNAMIC"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			e.exec(create, "INSERT INTO t (id) VALUES (1000000)", "DELETE FROM t")
			parityRun{alter: c.alter, rows: 1500}.run(t, e)
			want := c.want(e)
			if got := e.scalar("SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 't'"); got != want {
				t.Errorf("AUTO_INCREMENT %d after the run, want %d", got, want)
			}
			ddl := e.showCreate("t")
			for _, o := range c.options {
				if !strings.Contains(ddl, o) {
					t.Errorf("the new table lost %s:\n%s", o, ddl)
				}
			}
		})
	}
}
