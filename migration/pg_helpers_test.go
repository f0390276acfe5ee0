package migration_test

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hotswap/hotswap/dialect/mysql"
	"github.com/hotswap/hotswap/internal/testdb"
	"github.com/hotswap/hotswap/migration"
	"github.com/jackc/pgx/v5"
	"github.com/rs/zerolog"
)

// pgEnv is one test's database on the package's PostgreSQL. app is the
// hotswap role (owner of the database and its tables), admin a superuser.
type pgEnv struct {
	t          *testing.T
	srv        *testdb.Postgres
	db         string
	app, admin *sql.DB
}

func newPGEnv(t *testing.T) *pgEnv {
	t.Helper()
	srv := testdb.PostgresServer(t)
	name, admin := srv.NewDatabase(t)
	app, err := sql.Open("pgx", srv.DSN(name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.Close() })
	return &pgEnv{t: t, srv: srv, db: name, app: app, admin: admin}
}

// exec runs statements as the hotswap role, which then owns what they create.
func (e *pgEnv) exec(stmts ...string) {
	e.t.Helper()
	for _, s := range stmts {
		if _, err := e.app.Exec(s); err != nil {
			e.t.Fatalf("%s: %v", s, err)
		}
	}
}

func (e *pgEnv) config(table, alter string) migration.Config {
	return migration.Config{
		Engine: migration.EnginePostgres,
		Conn:   mysql.Config{Host: e.srv.Host, Port: e.srv.Port, User: e.srv.User, Password: e.srv.Password, Database: e.db},
		Table:  table, Alter: alter, Execute: true, ChunkSize: 300, Threads: 2,
		CutOverLockTimeout: 2 * time.Second, DefaultRetries: 30,
		Log: zerolog.New(zerolog.NewTestWriter(e.t)).Level(zerolog.InfoLevel),
	}
}

func (e *pgEnv) start(cfg migration.Config) *started {
	return (&env{t: e.t}).start(cfg)
}

// run executes a migration to its end and returns its printed output.
func (e *pgEnv) run(cfg migration.Config) (string, error) {
	return (&env{t: e.t}).run(cfg)
}

func (e *pgEnv) scalar(q string, args ...any) int64 {
	e.t.Helper()
	return scalarOf(e.t, e.admin, q, args...)
}

// leftovers lists hotswap's slots and publications; every exit path must
// leave none.
func (e *pgEnv) requireNoSlotsOrPublications() {
	e.t.Helper()
	if n := e.scalar("SELECT count(*) FROM pg_replication_slots WHERE database = $1", e.db); n != 0 {
		e.t.Errorf("%d replication slots left behind", n)
	}
	if n := e.scalar(`SELECT count(*) FROM pg_publication WHERE pubname LIKE 'hotswap\_%'`); n != 0 {
		e.t.Errorf("%d publications left behind", n)
	}
}

// pgColumn is a column's name and type.
type pgColumn struct{ name, typ string }

func (e *pgEnv) columns(table string) map[string]pgColumn {
	e.t.Helper()
	rows, err := e.admin.Query(`SELECT attname, format_type(atttypid, atttypmod), attgenerated <> ''
		FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped`, pgx.Identifier{table}.Sanitize())
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]pgColumn{}
	for rows.Next() {
		var c pgColumn
		var generated bool
		if err := rows.Scan(&c.name, &c.typ, &generated); err != nil {
			e.t.Fatal(err)
		}
		if !generated {
			out[c.name] = c
		}
	}
	return out
}

// compare checks every row of a and b, joined on key, over the columns both
// have (through renames), a's values cast to b's type: no row missing on
// either side, none different.
func (e *pgEnv) compare(a, b string, key []string, renames map[string]string) {
	e.t.Helper()
	ca, cb := e.columns(a), e.columns(b)
	var on, diff []string
	for _, k := range key {
		on = append(on, fmt.Sprintf("a.%s = b.%s", pgx.Identifier{k}.Sanitize(), pgx.Identifier{k}.Sanitize()))
	}
	for name := range ca {
		target := name
		if r, ok := renames[name]; ok {
			target = r
		}
		bc, ok := cb[target]
		if !ok {
			continue
		}
		typ := bc.typ
		if typ == "json" {
			typ = "jsonb" // json has no equality
		}
		diff = append(diff, fmt.Sprintf("a.%s::%s IS DISTINCT FROM b.%s::%s",
			pgx.Identifier{name}.Sanitize(), typ, pgx.Identifier{target}.Sanitize(), typ))
	}
	q := fmt.Sprintf("SELECT count(*) FROM %s a FULL JOIN %s b ON %s WHERE a.%s IS NULL OR b.%s IS NULL OR %s",
		pgx.Identifier{a}.Sanitize(), pgx.Identifier{b}.Sanitize(), strings.Join(on, " AND "),
		pgx.Identifier{key[0]}.Sanitize(), pgx.Identifier{key[0]}.Sanitize(), strings.Join(diff, " OR "))
	if bad := e.scalar(q); bad > 0 {
		e.t.Errorf("%d rows differ between %s and %s (or are missing from one)", bad, a, b)
	}
	if na, nb := e.scalar("SELECT count(*) FROM "+pgx.Identifier{a}.Sanitize()), e.scalar("SELECT count(*) FROM "+pgx.Identifier{b}.Sanitize()); na != nb {
		e.t.Errorf("row counts differ: %s has %d, %s has %d", a, na, b, nb)
	}
}
