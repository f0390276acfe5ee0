package migration_test

import (
	"strings"
	"testing"

	"github.com/hotswap/hotswap/migration"
	"github.com/hotswap/hotswap/throttle"
)

// relations lists the database's tables, views, sequences and indexes with
// their columns, to check a refused run changed nothing.
func (e *pgEnv) relations() string {
	e.t.Helper()
	rows, err := e.admin.Query(`SELECT c.relname || ':' || c.relkind::text || ':' || coalesce(string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ',' ORDER BY a.attnum), '')
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
		WHERE n.nspname = 'public' GROUP BY c.relname, c.relkind ORDER BY c.relname`)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			e.t.Fatal(err)
		}
		out = append(out, s)
	}
	return strings.Join(out, "\n")
}

func (e *pgEnv) refusal(cfg migration.Config, wantMsg ...string) {
	e.t.Helper()
	requireRefusal(e.t, e, cfg, wantMsg...)
}

// schemaOf is every relation of the database, with its columns.
func (e *pgEnv) schemaOf(string) string { return e.relations() }

func TestPostgresPreflightRefusals(t *testing.T) {
	e := newPGEnv(t)
	e.exec("CREATE TABLE t (id int PRIMARY KEY, v int)", "INSERT INTO t SELECT g, g FROM generate_series(1, 100) g",
		"CREATE TABLE nokey (v int)",
		"CREATE TABLE parent (id int PRIMARY KEY)", "CREATE TABLE child (id int PRIMARY KEY, p int REFERENCES parent (id))",
		"CREATE TABLE viewed (id int PRIMARY KEY, v int)", "CREATE MATERIALIZED VIEW mv_viewed AS SELECT id, v FROM viewed")
	if _, err := e.admin.Exec("CREATE TABLE not_mine (id int PRIMARY KEY)"); err != nil { // owned by the superuser
		t.Fatal(err)
	}
	owner := e.db + "_owner" // roles are per cluster
	for _, q := range []string{"CREATE ROLE " + owner + " NOLOGIN", "GRANT " + owner + " TO hotswap", "GRANT CREATE ON SCHEMA public TO " + owner} {
		if _, err := e.admin.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { _, _ = e.admin.Exec("DROP OWNED BY " + owner + "; DROP ROLE " + owner) })
	cases := []struct {
		name, table, alter string
		want               []string
	}{
		{"missing table", "nope", "ADD COLUMN w int", []string{"public.nope does not exist"}},
		{"no primary key", "nokey", "ADD COLUMN w int", []string{"no replica identity key"}},
		{"invalid alter", "t", "ADD COLUMN w nosuchtype", []string{"not valid", "nosuchtype"}},
		{"second statement", "t", "ADD COLUMN w int; DROP TABLE parent", []string{"not valid"}},
		{"rename table", "t", "RENAME TO t2", []string{"renames the table"}},
		{"owner change", "t", "OWNER TO " + owner, []string{"changes the table's owner", "OWNER TO"}},
		{"drops the key column", "t", "DROP COLUMN id", []string{"id"}},
		{"USING with a volatile function", "t", "ALTER COLUMN v TYPE text USING v::text || random()::text", []string{"USING", "volatile", "random()"}},
		{"USING through a volatile operand", "t", "ALTER COLUMN v TYPE numeric(10,2) USING v / 100 + nextval('nope_seq')", []string{"USING", "column v"}},
		{"USING reads the clock", "t", "ALTER COLUMN v TYPE timestamptz USING now() + v * interval '1 s'", []string{"USING", "NOW"}},
		{"USING on the row key", "t", "ALTER COLUMN id TYPE bigint USING id * 2", []string{"USING", "row key column id"}},
		{"USING naming no column of the table", "t", "ALTER COLUMN v TYPE bigint USING nosuch + 1", []string{"USING", "nosuch"}},
		{"key type reorders", "t", "ALTER COLUMN id TYPE text", []string{"key column"}},
		{"a materialized view depends on it", "viewed", "ADD COLUMN w int", []string{"mv_viewed"}},
		{"not the owner", "not_mine", "ADD COLUMN w int", []string{"does not own", "GRANT"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sub := *e
			sub.t = t
			sub.refusal(e.config(c.table, c.alter), c.want...)
		})
	}
	if n := e.scalar("SELECT count(*) FROM parent"); n != 0 {
		t.Fatalf("the injected DROP TABLE ran? parent has %d rows", n)
	}
	cfg := e.config("t", "ADD COLUMN w int")
	cfg.Throttle = throttle.NewSettings()
	if err := cfg.Throttle.Set("max-load", "Threads_running=10,Innodb_row_lock_waits=5"); err != nil {
		t.Fatal(err)
	}
	e.refusal(cfg, "max-load", "no load counter Innodb_row_lock_waits", "active_sessions")
}
