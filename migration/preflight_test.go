package migration_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/hotswap/hotswap/dialect/mysql"
	"github.com/hotswap/hotswap/internal/testdb"
	"github.com/hotswap/hotswap/migration"
	"github.com/hotswap/hotswap/throttle"
)

func (e *env) refusal(cfg migration.Config, wantMsg ...string) {
	e.t.Helper()
	requireRefusal(e.t, e, cfg, wantMsg...)
}

// schemaOf is the database's tables, then table's definition.
func (e *env) schemaOf(table string) string {
	return e.tables() + "\n" + e.showCreateIfTable(table)
}

func (e *env) showCreateIfTable(name string) string {
	var n, ddl string
	e.admin.QueryRow("SHOW CREATE TABLE "+mysql.Quote(name)).Scan(&n, &ddl)
	return ddl
}

func TestPreflightRefusals(t *testing.T) {
	e := newEnv(t)
	e.exec("CREATE TABLE t (id INT PRIMARY KEY, a INT, u INT NOT NULL, UNIQUE KEY uk (u))",
		"INSERT INTO t VALUES (1, 1, 1), (2, 2, 2)",
		"CREATE TABLE nokey (a INT, b INT)",
		"CREATE TABLE myi (id INT PRIMARY KEY) ENGINE=MyISAM",
		"CREATE VIEW v AS SELECT id FROM t",
		"CREATE TABLE parent (id INT PRIMARY KEY)",
		"CREATE TABLE child (id INT PRIMARY KEY, p INT, CONSTRAINT fk_p FOREIGN KEY (p) REFERENCES parent (id))",
		"CREATE TABLE selfref (id INT PRIMARY KEY, up INT, CONSTRAINT fk_self FOREIGN KEY (up) REFERENCES selfref (id))",
		"CREATE TABLE trig (id INT PRIMARY KEY, a INT)",
		"CREATE TRIGGER trig_bi BEFORE INSERT ON trig FOR EACH ROW SET NEW.a = 1",
	)
	cases := []struct {
		name, table, alter string
		want               []string
	}{
		{"missing table", "nope", "ADD COLUMN c INT", []string{"does not exist"}},
		{"view", "v", "ADD COLUMN c INT", []string{"is a view"}},
		{"not innodb", "myi", "ADD COLUMN c INT", []string{"MyISAM", "InnoDB"}},
		{"no key", "nokey", "ADD COLUMN c INT", []string{"no PRIMARY KEY or NOT NULL UNIQUE key"}},
		{"alter drops every key", "t", "DROP PRIMARY KEY, DROP INDEX uk", []string{"no PRIMARY KEY or NOT NULL UNIQUE key"}},
		{"renames table", "t", "RENAME TO t2", []string{"renames the table"}},
		{"server rejects alter", "t", "ADD COLUMN a INT", []string{"Duplicate column name 'a'"}},
		{"unparsable alter", "t", "ADD COLUMN (((", []string{"parse --alter"}},
		{"full statement given", "t", "ALTER TABLE t ADD COLUMN c INT", []string{"without \"ALTER TABLE <name>\""}},
		{"adds foreign key", "t", "ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES parent (id)", []string{"adds a foreign key"}},
		{"parent whose referenced column the ALTER renames", "parent", "RENAME COLUMN id TO pid", []string{"renames column id", "fk_"}},
		{"child referencing itself", "selfref", "ADD COLUMN c INT", []string{"foreign key fk_self", "references the table itself"}},
		{"child whose key loses its column", "child", "DROP COLUMN p", []string{"foreign key"}},
		{"trigger defined for another user", "trig", "ADD COLUMN c INT", []string{"trigger trig_bi cannot be carried", "SET USER"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.t = t
			e.refusal(e.config(c.table, c.alter), c.want...)
		})
	}
	t.Run("unknown load counter", func(t *testing.T) {
		e.t = t
		cfg := e.config("t", "ADD COLUMN c INT")
		cfg.Throttle = throttle.NewSettings()
		if err := cfg.Throttle.Set("critical-load", "Threads_running=100,No_such_counter=5"); err != nil {
			t.Fatal(err)
		}
		e.refusal(cfg, "critical-load", "no status variable No_such_counter")
	})
}

func TestPreflightServerSettings(t *testing.T) {
	e := newEnv(t)
	e.exec("CREATE TABLE t (id INT PRIMARY KEY)")
	for _, c := range []struct{ variable, bad, good, want string }{
		{"binlog_format", "STATEMENT", "ROW", "binlog_format is \"STATEMENT\", hotswap needs ROW"},
		{"binlog_row_image", "MINIMAL", "FULL", "binlog_row_image is \"MINIMAL\", hotswap needs FULL"},
	} {
		t.Run(c.variable, func(t *testing.T) {
			e.t = t
			e.exec("SET GLOBAL " + c.variable + " = '" + c.bad + "'")
			t.Cleanup(func() { e.admin.Exec("SET GLOBAL " + c.variable + " = '" + c.good + "'") })
			e.refusal(e.config("t", "ADD COLUMN c INT"), c.want)
		})
	}
}

func TestPreflightMissingPrivileges(t *testing.T) {
	e := newEnv(t)
	e.exec("CREATE TABLE t (id INT PRIMARY KEY)",
		"CREATE USER IF NOT EXISTS 'weak'@'%' IDENTIFIED BY 'weakpw'",
		"GRANT SELECT, INSERT ON *.* TO 'weak'@'%'")
	cfg := e.config("t", "ADD COLUMN c INT")
	cfg.Conn.User, cfg.Conn.Password = "weak", "weakpw"
	e.refusal(cfg, "lacks privileges", "UPDATE, DELETE, CREATE, DROP, ALTER, INDEX, LOCK TABLES ON `"+e.db+"`.*",
		"REPLICATION SLAVE, REPLICATION CLIENT ON *.*", "GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO <user>;")
}

func TestPreflightLeftoversAndRunLock(t *testing.T) {
	e := newEnv(t)
	e.exec("CREATE TABLE t (id INT PRIMARY KEY, a INT)", "INSERT INTO t VALUES (1,1),(2,2)",
		"CREATE TABLE _t_new (x INT)", "CREATE TABLE _t_old (x INT)")
	e.refusal(e.config("t", "ADD COLUMN c INT"), "_t_new already exists", "--initially-drop-ghost-table")
	cfg := e.config("t", "ADD COLUMN c INT")
	cfg.InitiallyDropGhost = true
	e.refusal(cfg, "_t_old already exists", "--initially-drop-old-table")

	// another run holds the table's lock
	conn, err := e.admin.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var got sql.NullInt64
	conn.QueryRowContext(context.Background(), "SELECT GET_LOCK(?, 0)", mysql.RunLockName(e.db, "t")).Scan(&got)
	e.refusal(e.config("t", "ADD COLUMN c INT"), "another hotswap is already running")
	conn.ExecContext(context.Background(), "DO RELEASE_LOCK(?)", mysql.RunLockName(e.db, "t"))
	conn.Close()

	// with both flags the leftovers are dropped and the run completes
	cfg.InitiallyDropOld = true
	if out, err := e.run(cfg); err != nil {
		t.Fatalf("run with --initially-drop-*: %v\n%s", err, out)
	}
	if !strings.Contains(e.showCreate("t"), "`c` int") {
		t.Fatal("column c was not added")
	}
}

// TestDryRunPrintsPlanAndChangesNothing: a run without Execute checks the
// ALTER and prints the plan (the new definition, the column mapping, which
// never maps a dropped column, the row key), and changes nothing: the tables
// and the table's definition are as before, and nothing of the change
// stream is left on the server.
func TestDryRunPrintsPlanAndChangesNothing(t *testing.T) {
	plans := map[string]struct {
		create, alter string
		want          []string
		dropped       string // the mapping of the dropped column, which the plan must not show
	}{
		"mysql": {"CREATE TABLE t (id INT PRIMARY KEY, a INT, b VARCHAR(10))", "ADD COLUMN c INT, CHANGE b bb VARCHAR(20), DROP COLUMN a",
			[]string{"CREATE TABLE `t`", "`bb` varchar(20)", "b -> bb", "Row key: PRIMARY (id)"}, "a -> a"},
		"postgres": {"CREATE TABLE t (id int PRIMARY KEY, a int, b text)", "ALTER COLUMN a TYPE bigint, DROP COLUMN b, ADD COLUMN c int DEFAULT 1",
			[]string{"bigint", "a -> a", "Row key: primary key (id)"}, "b -> b"},
	}
	forEachEngine(t, func(t *testing.T, e engineEnv) {
		p := plans[e.engine()]
		e.exec(p.create, "INSERT INTO t VALUES (1, 1, 'x')")
		before := e.schemaOf("t")
		cfg := e.config("t", p.alter)
		cfg.Execute = false
		out, err := e.run(cfg)
		if err != nil {
			t.Fatalf("dry run: %v\n%s", err, out)
		}
		for _, w := range append(p.want, "id -> id", "(new) c", "Estimated rows:", "Dry run") {
			if !strings.Contains(out, w) {
				t.Errorf("dry run output lacks %q:\n%s", w, out)
			}
		}
		if strings.Contains(out, p.dropped) {
			t.Errorf("the dropped column is mapped (%s):\n%s", p.dropped, out)
		}
		if after := e.schemaOf("t"); after != before {
			t.Errorf("dry run changed something:\n%s\n->\n%s", before, after)
		}
		e.requireNoStreamLeftovers()
	})
}

func TestPreflightBinlogOff(t *testing.T) {
	srv := testdb.StartWithoutBinlog(t)
	name, admin := srv.NewDatabase(t)
	e := &env{t: t, srv: srv, db: name, admin: admin}
	e.exec("CREATE TABLE t (id INT PRIMARY KEY)")
	e.refusal(e.config("t", "ADD COLUMN c INT"), "log_bin is \"OFF\"", "--log-bin")
}
