package versions_test

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "github.com/hotswap/hotswap/engine/mysql"
	_ "github.com/hotswap/hotswap/engine/postgres"
	"github.com/hotswap/hotswap/internal/dbconn"
	"github.com/hotswap/hotswap/internal/testdb"
	"github.com/hotswap/hotswap/migration"
	"github.com/hotswap/hotswap/versions"
	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/rs/zerolog"
)

// target is one engine's test database: db is the role hotswap runs as
// (it owns what the migrations create); seq(n) is a FROM clause of the
// integers 1..n in column seq; analyze(t) refreshes t's statistics.
type target struct {
	engine  string
	conn    dbconn.Config
	db      *sql.DB
	seq     func(n string) string
	analyze string
	widen   string // an ALTER clause no server makes in place: v INT to BIGINT, which copies the table
}

func targets(t *testing.T) []*target {
	my := testdb.MySQLServer(t)
	myName, myDB := my.NewDatabase(t)
	pg := testdb.PostgresServer(t)
	pgName, _ := pg.NewDatabase(t)
	app, err := sql.Open("pgx", pg.DSN(pgName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.Close() })
	return []*target{
		{engine: migration.EngineMySQL, db: myDB, seq: func(n string) string { return "seq_1_to_" + n }, analyze: "ANALYZE TABLE %s", widen: "MODIFY v BIGINT NOT NULL",
			conn: dbconn.Config{Host: my.Host, Port: my.Port, User: my.User, Password: my.Password, Database: myName}},
		{engine: migration.EnginePostgres, db: app, seq: func(n string) string { return "generate_series(1, " + n + ") AS seq" }, analyze: "ANALYZE %s", widen: "ALTER COLUMN v TYPE bigint",
			conn: dbconn.Config{Host: pg.Host, Port: pg.Port, User: pg.User, Password: pg.Password, Database: pgName}},
	}
}

// forEachTarget runs test on MariaDB and PostgreSQL as subtests.
func forEachTarget(t *testing.T, test func(t *testing.T, tg *target)) {
	for _, tg := range targets(t) {
		t.Run(tg.engine, func(t *testing.T) { test(t, tg) })
	}
}

// writeDir writes migration files into a new directory.
func writeDir(t *testing.T, files map[string]string) string {
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// config is a migrate on tg's database with dir, online from 1,000 rows.
func (tg *target) config(t *testing.T, dir string) (versions.Config, *syncBuffer) {
	out := &syncBuffer{}
	return versions.Config{Engine: tg.engine, Conn: tg.conn, Dir: dir, OnlineRows: 1000, Hotswap: "test", Schema: "public", // as the CLI gives it, on both engines
		Online: migration.Config{Threads: 2, ChunkSize: 500, CutOverLockTimeout: 2 * time.Second, DefaultRetries: 30, AttemptInstantDDL: true},
		Log:    zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.InfoLevel), Out: out}, out
}

func (tg *target) scalar(t *testing.T, q string) int64 {
	t.Helper()
	var n int64
	if err := tg.db.QueryRow(q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func (tg *target) text(t *testing.T, q string) string {
	t.Helper()
	var s string
	if err := tg.db.QueryRow(q).Scan(&s); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return s
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

func (s *syncBuffer) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b.Reset()
}

var ctx = context.Background()
