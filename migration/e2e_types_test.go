package migration_test

import "testing"

type alterCase struct {
	name    string
	create  string // table t, with a wl_ver BIGINT column for the workload
	alter   string
	key     []string
	renames map[string]string
	rows    int
}

// alterCases are each engine's ALTERs over its types, keys and sizes.
var alterCases = map[string][]alterCase{
	"mysql": {
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
	},
	"postgres": {
		{name: "add drop column and type changes",
			create: "CREATE TABLE t (id bigint PRIMARY KEY, a int, b varchar(50), c numeric(10,2), d text, gone int, wl_ver bigint)",
			alter:  "ALTER COLUMN a TYPE bigint, ALTER COLUMN b TYPE text, ALTER COLUMN c TYPE numeric(14,4), DROP COLUMN gone, ADD COLUMN e int DEFAULT 5",
			rows:   2000},
		{name: "rename column", // PostgreSQL takes RENAME COLUMN alone
			create: "CREATE TABLE t (id int PRIMARY KEY, d text, v int, wl_ver bigint)",
			alter:  "RENAME COLUMN d TO d2", renames: map[string]string{"d": "d2"}, rows: 1500},
		{name: "jsonb arrays timestamptz uuid bytea",
			create: "CREATE TABLE t (id int PRIMARY KEY, j jsonb, arr int[], tags text[], ts timestamptz, u uuid, b bytea, flag boolean, wl_ver bigint)",
			alter:  "ADD COLUMN n int, ALTER COLUMN ts TYPE timestamptz(3)", rows: 1500},
		{name: "toasted values",
			create: "CREATE TABLE t (id int PRIMARY KEY, big text, small int, wl_ver bigint)",
			alter:  "ADD COLUMN n int", rows: 300},
		{name: "composite primary key and index added",
			create: "CREATE TABLE t (k1 int, k2 text, v int, s varchar(30), wl_ver bigint, PRIMARY KEY (k1, k2))",
			alter:  "ADD COLUMN w int", key: []string{"k1", "k2"}, rows: 2000},
		{name: "unique constraint added on unique data", // u is unique already, so the workload keeps it so
			create: "CREATE TABLE t (id bigint PRIMARY KEY, u int UNIQUE, v int, wl_ver bigint)",
			alter:  "ADD CONSTRAINT t_uv_key UNIQUE (u, v), ADD COLUMN w int", rows: 1500},
		{name: "empty table",
			create: "CREATE TABLE t (id int PRIMARY KEY, v int, wl_ver bigint)",
			alter:  "ADD COLUMN w int", rows: 0},
	},
}

// TestAlterUnderWorkloadPostponed runs each ALTER under the random workload,
// stops the workload while the cut-over is postponed, compares every row of
// source and shadow, then cuts over and compares again (parityRun).
func TestAlterUnderWorkloadPostponed(t *testing.T) {
	forEachEngineCase(t, alterCases, func(c alterCase) string { return c.name }, func(t *testing.T, e engineEnv, c alterCase) {
		e.exec(c.create)
		parityRun{alter: c.alter, rows: c.rows, key: c.key, renames: c.renames}.run(t, e)
	})
}
