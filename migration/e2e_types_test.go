package migration_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/hotswap/hotswap/internal/workload"
	"github.com/hotswap/hotswap/migration"
)

type alterCase struct {
	name    string
	create  string // table t, with a wl_ver BIGINT column for the workload
	alter   string
	key     []string
	renames map[string]string
	rows    int
}

var alterCases = []alterCase{
	{name: "add drop modify rename reorder index",
		create:  "CREATE TABLE t (id BIGINT PRIMARY KEY, a INT, b VARCHAR(50), c DATETIME(6), d DECIMAL(10,2), wl_ver BIGINT) DEFAULT CHARSET=utf8mb4",
		alter:   "ADD COLUMN e INT DEFAULT 5 FIRST, DROP COLUMN a, MODIFY d DECIMAL(14,4), CHANGE b b2 VARCHAR(80) AFTER c, ADD INDEX ix_c (c)",
		renames: map[string]string{"b": "b2"}, rows: 2000},
	{name: "rename column syntax and drop then re-add same name",
		create:  "CREATE TABLE t (id INT PRIMARY KEY, a INT, b TEXT, wl_ver BIGINT) DEFAULT CHARSET=utf8mb4",
		alter:   "RENAME COLUMN b TO bb, DROP COLUMN a, ADD COLUMN a VARCHAR(10) DEFAULT 'new'",
		renames: map[string]string{"b": "bb", "a": "-"}, rows: 1500},
	{name: "charset latin1 to utf8mb4",
		create: "CREATE TABLE t (id INT PRIMARY KEY, s VARCHAR(40), tx TEXT, c CHAR(10), wl_ver BIGINT) DEFAULT CHARSET=latin1",
		alter:  "CONVERT TO CHARACTER SET utf8mb4", rows: 1500},
	{name: "utf8mb4 emoji widened",
		create: "CREATE TABLE t (id INT PRIMARY KEY, s VARCHAR(40), tx TEXT, wl_ver BIGINT) DEFAULT CHARSET=utf8mb4",
		alter:  "MODIFY s VARCHAR(100)", rows: 1500},
	{name: "integers at limits and int to bigint",
		create: "CREATE TABLE t (id INT UNSIGNED PRIMARY KEY, ti TINYINT, tu TINYINT UNSIGNED, si SMALLINT, mi MEDIUMINT UNSIGNED, i INT, bi BIGINT, bu BIGINT UNSIGNED, wl_ver BIGINT)",
		alter:  "MODIFY id BIGINT UNSIGNED, MODIFY i BIGINT, MODIFY ti SMALLINT, MODIFY tu SMALLINT UNSIGNED", rows: 2000},
	{name: "decimal float double",
		create: "CREATE TABLE t (id INT PRIMARY KEY, f FLOAT, d DOUBLE, dec1 DECIMAL(20,6), dec2 DECIMAL(5,0), wl_ver BIGINT)",
		alter:  "MODIFY f DOUBLE, MODIFY dec2 DECIMAL(8,2), ADD COLUMN z INT", rows: 1500},
	{name: "temporal with fractions",
		create: "CREATE TABLE t (id INT PRIMARY KEY, dt DATETIME(6), ts TIMESTAMP(3) NULL DEFAULT NULL, d DATE, tm TIME(2), y YEAR, wl_ver BIGINT)",
		alter:  "MODIFY ts TIMESTAMP(6) NULL DEFAULT NULL, ADD COLUMN x INT", rows: 1500},
	{name: "enum set bit binary",
		create: "CREATE TABLE t (id INT PRIMARY KEY, e ENUM('a','b','c'), s SET('x','y','z'), b BIT(12), bin BINARY(8), vb VARBINARY(20), wl_ver BIGINT)",
		alter:  "MODIFY e ENUM('a','b','c','d'), MODIFY b BIT(16), ADD COLUMN n INT", rows: 1500},
	{name: "blob text json over 1MB",
		create: "CREATE TABLE t (id INT PRIMARY KEY, bl LONGBLOB, tx MEDIUMTEXT, j JSON, wl_ver BIGINT) DEFAULT CHARSET=utf8mb4",
		alter:  "ADD COLUMN n INT", rows: 300},
	{name: "generated columns virtual and stored",
		create: "CREATE TABLE t (id INT PRIMARY KEY, a INT, b INT, g1 BIGINT AS (a + b) VIRTUAL, g2 BIGINT AS (a * 2) STORED, wl_ver BIGINT)",
		alter:  "ADD COLUMN g3 BIGINT AS (b * 3) STORED, MODIFY a BIGINT", rows: 1500},
	{name: "binary primary key with trailing zeros",
		create: "CREATE TABLE t (id VARBINARY(16) PRIMARY KEY, v INT, wl_ver BIGINT)",
		alter:  "ADD COLUMN w INT", rows: 1500},
	{name: "composite primary key",
		create: "CREATE TABLE t (k1 INT, k2 VARCHAR(20), v INT, wl_ver BIGINT, PRIMARY KEY (k1, k2))",
		alter:  "ADD COLUMN w INT", key: []string{"k1", "k2"}, rows: 2000},
	{name: "not null unique key instead of primary key",
		create: "CREATE TABLE t (u BIGINT NOT NULL, v INT, s VARCHAR(30), wl_ver BIGINT, UNIQUE KEY uk (u))",
		alter:  "ADD COLUMN w INT", key: []string{"u"}, rows: 1500},
	{name: "empty table",
		create: "CREATE TABLE t (id INT PRIMARY KEY, v INT, wl_ver BIGINT)",
		alter:  "ADD COLUMN w INT", rows: 0},
	{name: "one row",
		create: "CREATE TABLE t (id INT PRIMARY KEY, v INT, wl_ver BIGINT)",
		alter:  "ADD COLUMN w INT", rows: 1},
}

// TestAlterUnderWorkloadPostponed runs each ALTER under the random workload,
// stops the workload while the cut-over is postponed, compares every row of
// source and shadow, then cuts over and compares again.
func TestAlterUnderWorkloadPostponed(t *testing.T) {
	for _, c := range alterCases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			e.exec(c.create)
			w := newWorkload(t, e, c.rows, workload.Options{Workers: 3, Rate: 400})
			w.Start(context.Background())
			cfg := e.config("t", c.alter)
			cfg.PostponeFlagFile = flagFile(t)
			run := e.start(cfg)
			run.waitState(t, migration.StatePostponed)
			time.Sleep(300 * time.Millisecond) // changes keep flowing while postponed
			requireNoErrors(t, w.Stop())
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if err := run.m.CaughtUp(ctx); err != nil {
				t.Fatal(err)
			}
			key := c.key
			if key == nil {
				key = []string{"id"}
			}
			e.compare("t", run.m.ShadowName(), key, e.mappedColumns("t", run.m.ShadowName(), c.renames))
			os.Remove(cfg.PostponeFlagFile)
			run.wait(t)
			e.compare("_t_old", "t", key, e.mappedColumns("_t_old", "t", c.renames))
			if err := w.Check(ctx, e.admin, "t"); err != nil {
				t.Fatalf("acknowledged writes: %v", err)
			}
		})
	}
}
