package backfill_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hotswap/hotswap/backfill"
	"github.com/hotswap/hotswap/dialect/mysql"
	"github.com/hotswap/hotswap/internal/testdb"
	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/rs/zerolog"
)

func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

// env is one test's database on one engine's throwaway server.
type env struct {
	t      *testing.T
	engine string
	db     *sql.DB // the table's owner
	cfg    backfill.Config
	srv    *testdb.MySQL    // MySQL only: for the replica
	pg     *testdb.Postgres // PostgreSQL only: for the standby
}

func mysqlEnv(t *testing.T) *env {
	srv := testdb.MySQLServer(t)
	name, admin := srv.NewDatabase(t)
	return &env{t: t, engine: "mysql", db: admin, srv: srv, cfg: backfill.Config{Engine: backfill.EngineMySQL,
		Conn: mysql.Config{Host: srv.Host, Port: srv.Port, User: srv.User, Password: srv.Password, Database: name}}}
}

func postgresEnv(t *testing.T) *env {
	srv := testdb.PostgresServer(t)
	name, _ := srv.NewDatabase(t)
	db, err := sql.Open("pgx", srv.DSN(name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &env{t: t, engine: "postgres", db: db, pg: srv, cfg: backfill.Config{Engine: backfill.EnginePostgres,
		Conn: mysql.Config{Host: srv.Host, Port: srv.Port, User: srv.User, Password: srv.Password, Database: name}}}
}

var engines = []func(*testing.T) *env{mysqlEnv, postgresEnv}

func (e *env) exec(stmts ...string) {
	e.t.Helper()
	for _, s := range stmts {
		if _, err := e.db.Exec(s); err != nil {
			e.t.Fatalf("%s: %v", s, err)
		}
	}
}

func (e *env) scalar(q string) int64 {
	e.t.Helper()
	var n int64
	if err := e.db.QueryRow(q).Scan(&n); err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
	return n
}

// people creates t (and its twin t2, same rows) with n rows whose full_name
// is NULL; the engines' SQL differs only in the row generator and CONCAT.
func (e *env) people(n int) {
	e.t.Helper()
	if e.engine == "mysql" {
		e.exec("CREATE TABLE t (id BIGINT PRIMARY KEY, first VARCHAR(20), last VARCHAR(20), full_name VARCHAR(41), v INT NOT NULL DEFAULT 0)",
			fmt.Sprintf("INSERT INTO t (id, first, last) SELECT seq, CONCAT('f', seq %% 1000), CONCAT('l', seq %% 777) FROM seq_1_to_%d", n),
			"UPDATE t SET full_name = 'already' WHERE id % 10 = 0",
			"CREATE TABLE t2 LIKE t", "INSERT INTO t2 SELECT * FROM t")
		return
	}
	e.exec("CREATE TABLE t (id bigint PRIMARY KEY, first varchar(20), last varchar(20), full_name varchar(41), v int NOT NULL DEFAULT 0)",
		fmt.Sprintf("INSERT INTO t (id, first, last) SELECT g, 'f' || (g %% 1000), 'l' || (g %% 777) FROM generate_series(1, %d) g", n),
		"UPDATE t SET full_name = 'already' WHERE id % 10 = 0",
		"CREATE TABLE t2 (LIKE t INCLUDING ALL)", "INSERT INTO t2 SELECT * FROM t", "ANALYZE t")
}

// config is a backfill of full_name on t.
func (e *env) config() backfill.Config {
	c := e.cfg
	c.Table, c.Execute = "t", true
	c.Set, c.Where = "full_name = CONCAT(first, ' ', last)", "full_name IS NULL"
	c.Log = zerolog.New(zerolog.NewTestWriter(e.t)).Level(zerolog.InfoLevel)
	return c
}

// sameAsSingleUpdate runs the single UPDATE on t2 and compares every row of
// t up to maxID with it, column by column (v, which the writers changed,
// aside).
func (e *env) sameAsSingleUpdate(maxID int) {
	e.t.Helper()
	t0 := time.Now()
	e.exec("UPDATE t2 SET full_name = CONCAT(first, ' ', last) WHERE full_name IS NULL")
	e.t.Logf("%s: the single UPDATE took %s", e.engine, time.Since(t0).Round(time.Millisecond))
	cols := "id, first, last, full_name"
	for _, pair := range [][2]string{{"t", "t2"}, {"t2", "t"}} {
		q := fmt.Sprintf("SELECT count(*) FROM (SELECT %s FROM %s WHERE id <= %d EXCEPT SELECT %s FROM %s WHERE id <= %d) x",
			cols, pair[0], maxID, cols, pair[1], maxID)
		if n := e.scalar(q); n != 0 {
			e.t.Fatalf("%d rows of %s differ from what a single UPDATE made of %s", n, pair[0], pair[1])
		}
	}
	if n := e.scalar(fmt.Sprintf("SELECT count(*) FROM t WHERE id <= %d", maxID)); n != int64(maxID) {
		e.t.Fatalf("t has %d of its %d rows", n, maxID)
	}
}

// writers update v on random rows and insert rows past maxID (with their
// full_name, as the fixed application would) until stop; they count what
// they committed and every error.
type writers struct {
	stop    chan struct{}
	wg      sync.WaitGroup
	commits atomic.Int64
	errs    atomic.Int64
	first   atomic.Value
}

func (e *env) startWriters(maxID, n int) *writers {
	w := &writers{stop: make(chan struct{})}
	next := atomic.Int64{}
	next.Store(int64(maxID))
	for i := range n {
		w.wg.Go(func() {
			rnd := rand.New(rand.NewPCG(uint64(i), 7))
			for {
				select {
				case <-w.stop:
					return
				case <-time.After(2 * time.Millisecond):
				}
				var err error
				if rnd.IntN(4) == 0 {
					id := next.Add(1)
					_, err = e.db.Exec(fmt.Sprintf("INSERT INTO t (id, first, last, full_name) VALUES (%d, 'nf', 'nl', 'nf nl')", id))
				} else {
					_, err = e.db.Exec(fmt.Sprintf("UPDATE t SET v = v + 1 WHERE id = %d", 1+rnd.IntN(maxID)))
				}
				if err != nil {
					w.errs.Add(1)
					w.first.CompareAndSwap(nil, err)
					continue
				}
				w.commits.Add(1)
			}
		})
	}
	return w
}

func (w *writers) end(t *testing.T) {
	t.Helper()
	close(w.stop)
	w.wg.Wait()
	if w.errs.Load() > 0 {
		t.Fatalf("the writers saw %d errors (first: %v)", w.errs.Load(), w.first.Load())
	}
	if w.commits.Load() == 0 {
		t.Fatal("the writers committed nothing")
	}
}

// started is a backfill running in the background.
type started struct {
	b    *backfill.Backfill
	done chan error
}

func start(cfg backfill.Config) *started {
	s := &started{b: backfill.New(cfg), done: make(chan error, 1)}
	go func() { s.done <- s.b.Run(context.Background()) }()
	return s
}

func (s *started) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-s.done:
		return err
	case <-time.After(5 * time.Minute):
		t.Fatal("the backfill did not end")
		return nil
	}
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// settle waits until read gives the same count twice 300ms apart (chunks
// that passed the throttle or the schedule just before it closed have
// committed) and returns it; a count still moving after 30s fails the test.
func settle(t *testing.T, what string, read func() int64) int64 {
	t.Helper()
	last := read()
	for deadline := time.Now().Add(30 * time.Second); ; last = read() {
		time.Sleep(300 * time.Millisecond)
		if n := read(); n == last {
			return n
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: rows still changing 30s later", what)
		}
	}
}
