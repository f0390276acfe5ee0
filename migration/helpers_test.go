package migration_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hotswap/hotswap/dialect/mysql"
	"github.com/hotswap/hotswap/internal/testdb"
	"github.com/hotswap/hotswap/migration"
	"github.com/rs/zerolog"
)

// env is one test's database on the package's MariaDB.
type env struct {
	t     *testing.T
	srv   *testdb.MySQL
	db    string
	admin *sql.DB
}

func newEnv(t *testing.T) *env {
	t.Helper()
	srv := testdb.MySQLServer(t)
	name, admin := srv.NewDatabase(t)
	return &env{t: t, srv: srv, db: name, admin: admin}
}

func (e *env) exec(stmts ...string) {
	e.t.Helper()
	for _, s := range stmts {
		if _, err := e.admin.Exec(s); err != nil {
			e.t.Fatalf("%s: %v", s, err)
		}
	}
}

// config is a run against the test database as the hotswap user.
func (e *env) config(table, alter string) migration.Config {
	return migration.Config{
		Conn:  mysql.Config{Host: e.srv.Host, Port: e.srv.Port, User: e.srv.User, Password: e.srv.Password, Database: e.db},
		Table: table, Alter: alter, Execute: true, ChunkSize: 300, Threads: 2,
		CutOverLockTimeout: 2 * time.Second, DefaultRetries: 30,
		Log: zerolog.New(zerolog.NewTestWriter(e.t)).Level(zerolog.InfoLevel),
	}
}

// syncBuffer collects a run's printed output safely across goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// run executes a migration to its end and returns its printed output.
func (e *env) run(cfg migration.Config) (string, error) {
	out := &syncBuffer{}
	cfg.Out = out
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	err := migration.New(cfg).Run(ctx)
	return out.String(), err
}

// tables lists the database's tables, to check a refused run changed nothing.
func (e *env) tables() string {
	e.t.Helper()
	return strings.Join(testdb.Strings(e.t, e.admin, "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY BINARY TABLE_NAME"), ",")
}

func (e *env) showCreate(table string) string {
	e.t.Helper()
	var n, ddl string
	if err := e.admin.QueryRow("SHOW CREATE TABLE "+mysql.Quote(table)).Scan(&n, &ddl); err != nil {
		e.t.Fatal(err)
	}
	return ddl
}

func (e *env) count(table string) int64 {
	e.t.Helper()
	return e.scalar("SELECT COUNT(*) FROM " + mysql.Quote(table))
}

// compare checks every row of a and b over the pairs of columns (a's, b's),
// joined on the key columns, with the server's NULL-safe comparison so that
// type changes compare by value: no row missing on either side, none different.
func (e *env) compare(a, b string, key []string, pairs [][2]string) {
	e.t.Helper()
	var on, diff []string
	for _, k := range key {
		on = append(on, fmt.Sprintf("a.%s = b.%s", mysql.Quote(k), mysql.Quote(k)))
	}
	for _, p := range pairs {
		diff = append(diff, fmt.Sprintf("NOT (a.%s <=> b.%s)", mysql.Quote(p[0]), mysql.Quote(p[1])))
	}
	ca, cb := e.count(a), e.count(b)
	if ca != cb {
		e.t.Errorf("row counts differ: %s has %d, %s has %d", a, ca, b, cb)
	}
	q := fmt.Sprintf("SELECT COUNT(*) FROM %s a LEFT JOIN %s b ON %s WHERE b.%s IS NULL OR %s",
		mysql.Quote(a), mysql.Quote(b), strings.Join(on, " AND "), mysql.Quote(key[0]), strings.Join(diff, " OR "))
	var bad int64
	if err := e.admin.QueryRow(q).Scan(&bad); err != nil {
		e.t.Fatalf("compare %s and %s: %v", a, b, err)
	}
	if bad > 0 {
		e.t.Errorf("%d rows of %s are missing or different in %s", bad, a, b)
	}
}

func sqlOpen(dsn string) (*sql.DB, error) { return sql.Open("mysql", dsn) }

func itoa(n int) string { return fmt.Sprint(n) }
