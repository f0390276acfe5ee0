package migration_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hotswap/hotswap/internal/testdb"
	"github.com/hotswap/hotswap/internal/workload"
	"github.com/hotswap/hotswap/migration"
	"github.com/jackc/pgx/v5"
)

// engineEnv is one test's database on either engine, with what an
// end-to-end test needs of it. The SQL a test sends stays the engine's own
// (a test keeps it in a small map by engine()); everything else is the same
// on both engines.
type engineEnv interface {
	// engine is "mysql" or "postgres": the subtest's name and the key of a
	// test's per-engine SQL.
	engine() string
	// exec runs statements as the role that owns the test's tables.
	exec(stmts ...string)
	// writer is the application's connection: workloads and concurrent
	// writes go through it.
	writer() *sql.DB
	// scalar is a query's single integer.
	scalar(q string, args ...any) int64
	config(table, alter string) migration.Config
	start(cfg migration.Config) *started
	run(cfg migration.Config) (string, error)
	// compareRows checks every row of a and b, joined on key, over the
	// columns both have (after the renames, a's names to b's): none missing
	// on either side, none different, the same count.
	compareRows(a, b string, key []string, renames map[string]string)
	// tables lists the database's tables by name, comma-separated.
	tables() string
	// schemaOf describes the database's tables and table's definition, to
	// check that a run changed nothing.
	schemaOf(table string) string
	// requireNoStreamLeftovers fails the test if the run left anything of its
	// change stream on the server (PostgreSQL: a slot or a publication; the
	// MariaDB binlog stream keeps nothing on the server).
	requireNoStreamLeftovers()
	// killStream ends hotswap's change-stream connection from the server's
	// side, once it is there.
	killStream(t *testing.T)
	// seq is a table of the integers 1 to n in its column seq, to fill test
	// tables with: INSERT INTO t SELECT seq, seq FROM <seq(n)>.
	seq(n int) string
	// definition describes table: its columns, keys and indexes (MariaDB:
	// SHOW CREATE TABLE), to check that a run left it as it was.
	definition(table string) string
}

// engines opens a fresh test database on each engine.
var engines = []struct {
	name string
	open func(*testing.T) engineEnv
}{
	{"mysql", func(t *testing.T) engineEnv { return newEnv(t) }},
	{"postgres", func(t *testing.T) engineEnv { return newPGEnv(t) }},
}

// forEachEngine runs test on MariaDB and on PostgreSQL, as the subtests
// mysql and postgres, each with a fresh database.
func forEachEngine(t *testing.T, test func(t *testing.T, e engineEnv)) {
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) { test(t, eng.open(t)) })
	}
}

// forEachEngineCase runs each engine's own cases (cases[engine]) as the
// subtests engine/case, each with a fresh database.
func forEachEngineCase[C any](t *testing.T, cases map[string][]C, name func(C) string, test func(t *testing.T, e engineEnv, c C)) {
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			if len(cases[eng.name]) == 0 {
				t.Fatalf("no %s cases", eng.name)
			}
			for _, c := range cases[eng.name] {
				t.Run(name(c), func(t *testing.T) { test(t, eng.open(t), c) })
			}
		})
	}
}

func (e *env) engine() string    { return "mysql" }
func (e *pgEnv) engine() string  { return "postgres" }
func (e *env) writer() *sql.DB   { return e.admin }
func (e *pgEnv) writer() *sql.DB { return e.app }

func (e *env) seq(n int) string   { return fmt.Sprintf("seq_1_to_%d", n) }
func (e *pgEnv) seq(n int) string { return fmt.Sprintf("generate_series(1, %d) AS seq", n) }

func (e *env) definition(table string) string { e.t.Helper(); return e.showCreate(table) }

// definition is table's columns with their types, defaults and nullability,
// then its indexes and constraints.
func (e *pgEnv) definition(table string) string {
	e.t.Helper()
	return strings.Join(testdb.Strings(e.t, e.admin, `SELECT d FROM (
		SELECT 1 AS k, lpad(a.attnum::text, 5, '0') AS o, a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END ||
			coalesce(' DEFAULT ' || pg_get_expr(ad.adbin, ad.adrelid), '') AS d
		FROM pg_attribute a LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
		WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
		UNION ALL SELECT 2, c.relname::text, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = $1::regclass
		UNION ALL SELECT 3, conname::text, conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = $1::regclass
	) x ORDER BY k, o COLLATE "C"`, pgx.Identifier{table}.Sanitize()), "\n")
}

// scalarWant is a query and the integer it must return.
type scalarWant struct {
	q    string
	want int64
}

// requireScalars checks each query's integer.
func requireScalars(t *testing.T, e engineEnv, checks ...scalarWant) {
	t.Helper()
	for _, c := range checks {
		if got := e.scalar(c.q); got != c.want {
			t.Errorf("%s: %d, want %d", c.q, got, c.want)
		}
	}
}

func (e *env) scalar(q string, args ...any) int64 {
	e.t.Helper()
	return scalarOf(e.t, e.admin, q, args...)
}

// scalarOf is a query's single integer.
func scalarOf(t *testing.T, db *sql.DB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func (e *env) compareRows(a, b string, key []string, renames map[string]string) {
	e.t.Helper()
	e.compare(a, b, key, e.mappedColumns(a, b, renames))
}

func (e *pgEnv) compareRows(a, b string, key []string, renames map[string]string) {
	e.t.Helper()
	e.compare(a, b, key, renames)
}

func (e *pgEnv) tables() string {
	e.t.Helper()
	return strings.Join(testdb.Strings(e.t, e.admin, `SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename COLLATE "C"`), ",")
}

func (e *env) requireNoStreamLeftovers()   {}
func (e *pgEnv) requireNoStreamLeftovers() { e.t.Helper(); e.requireNoSlotsOrPublications() }

// killStream kills every binlog dump connection on the server (hotswap's
// among them).
func (e *env) killStream(t *testing.T) {
	t.Helper()
	var ids []int64
	eventually(t, 20*time.Second, "a binlog dump connection (the stream reconnecting)", func() bool {
		ids = e.binlogDumpIDs(t)
		return len(ids) > 0
	})
	for _, id := range ids {
		e.admin.Exec("KILL ?", id)
	}
}

// killStream terminates the walsender serving hotswap's slot.
func (e *pgEnv) killStream(t *testing.T) {
	t.Helper()
	eventually(t, 20*time.Second, "a walsender (the stream reconnecting)", func() bool {
		return e.scalar("SELECT count(*) FROM pg_stat_replication") == 1
	})
	if n := e.scalar("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_replication"); n != 1 {
		t.Fatalf("%d walsenders terminated, want 1", n)
	}
}

// newWorkload loads rows into opts.Table (default t; it has a wl_ver column)
// through the application's connection, for a random workload to run on.
func newWorkload(t *testing.T, e engineEnv, rows int, opts workload.Options) *workload.Workload {
	t.Helper()
	if opts.Table == "" {
		opts.Table = "t"
	}
	if opts.Seed == 0 {
		opts.Seed = time.Now().UnixNano()
	}
	t.Logf("workload seed %d", opts.Seed)
	w, err := workload.New(e.writer(), opts)
	if err != nil {
		t.Fatalf("workload: %v", err)
	}
	if err := w.Load(context.Background(), rows); err != nil {
		t.Fatalf("load %d rows: %v", rows, err)
	}
	return w
}

func requireNoErrors(t *testing.T, st workload.Stats) {
	t.Helper()
	if len(st.Errors) > 0 {
		t.Fatalf("workload saw %d errors (first: %v); stats %+v", len(st.Errors), st.Errors[0], st)
	}
	if st.Commits == 0 {
		t.Fatalf("workload committed nothing: %+v", st)
	}
}

// parityRun is an ALTER run under the random workload with the cut-over
// postponed: the workload stops while the cut-over waits, every row of source
// and shadow is compared (over the source key, after the renames), then the
// run cuts over and every row of the old and new tables is compared again,
// the workload's acknowledged writes are checked, and nothing of the change
// stream is left on the server.
type parityRun struct {
	alter   string
	rows    int
	key     []string // the row key, the same names before and after (default id)
	renames map[string]string
}

func (p parityRun) run(t *testing.T, e engineEnv) {
	t.Helper()
	key := p.key
	if key == nil {
		key = []string{"id"}
	}
	w := newWorkload(t, e, p.rows, workload.Options{Workers: 3, Rate: 400})
	w.Start(context.Background())
	cfg := e.config("t", p.alter)
	cfg.PostponeFlagFile = flagFile(t)
	run := e.start(cfg)
	run.waitState(t, migration.StatePostponed)
	time.Sleep(300 * time.Millisecond) // changes keep flowing while postponed
	requireNoErrors(t, w.Stop())
	run.compareShadow(t, e, "t", key, p.renames)
	os.Remove(cfg.PostponeFlagFile)
	run.wait(t)
	e.compareRows("_t_old", "t", key, p.renames)
	if err := w.Check(context.Background(), e.writer(), "t"); err != nil {
		t.Fatalf("acknowledged writes: %v", err)
	}
	e.requireNoStreamLeftovers()
}

// compareShadow waits (a minute at most) until the postponed run has applied
// every change the stream has seen, then compares every row of table and
// its shadow.
func (s *started) compareShadow(t *testing.T, e engineEnv, table string, key []string, renames map[string]string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.m.CaughtUp(ctx); err != nil {
		t.Fatal(err)
	}
	e.compareRows(table, s.m.ShadowName(), key, renames)
}

// requireRefusal runs a migration that must be refused before any change:
// the error is a refusal naming the problem, the tables and the table's
// definition are unchanged, and nothing of the change stream is left.
func requireRefusal(t *testing.T, e engineEnv, cfg migration.Config, wantMsg ...string) {
	t.Helper()
	before := e.schemaOf(cfg.Table)
	out, err := e.run(cfg)
	if err == nil {
		t.Fatalf("run was not refused; output:\n%s", out)
	}
	if !migration.IsRefused(err) {
		t.Fatalf("error is not a refusal (exit 2): %v", err)
	}
	for _, w := range wantMsg {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("refusal %q does not mention %q", err, w)
		}
	}
	if after := e.schemaOf(cfg.Table); after != before {
		t.Errorf("tables or definition changed by a refused run:\n%s\n->\n%s", before, after)
	}
	e.requireNoStreamLeftovers()
}
