package migration_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hotswap/hotswap/internal/testdb"
	"github.com/hotswap/hotswap/migration"
)

// pgParityCase is an ALTER whose result hotswap must make exactly as the
// server's own ALTER TABLE does (issue 12, PostgreSQL parity points).
type pgParityCase struct {
	name   string
	create []string // table t with an int primary key id among its columns
	alter  string
	update string   // an UPDATE of row %d that the writes run, on the old schema
	during []string // run on both tables once the writes stop, before the cut-over
}

const pgParityTable = "CREATE TABLE t (id int PRIMARY KEY, i int NOT NULL, v text, n numeric(10,2))"
const pgParityFill = "INSERT INTO t SELECT g, g % 7, 'v' || g, g / 3.0 FROM generate_series(1, 2000) g"
const pgParityUpdate = "UPDATE t SET v = v || 'x', i = i + 1, n = n + 0.25 WHERE id = %d"

var pgParityCases = []pgParityCase{
	// point 5: what the ALTER sets survives the cut-over
	{"replica identity full", []string{pgParityTable, pgParityFill}, "REPLICA IDENTITY FULL", pgParityUpdate, nil},
	{"replica identity nothing", []string{pgParityTable, pgParityFill}, "REPLICA IDENTITY NOTHING", pgParityUpdate, nil},
	{"replica identity default over full", []string{pgParityTable, pgParityFill, "ALTER TABLE t REPLICA IDENTITY FULL"},
		"REPLICA IDENTITY DEFAULT, ADD COLUMN w int", pgParityUpdate, nil},
	{"fillfactor and a kept storage parameter", []string{pgParityTable + " WITH (autovacuum_enabled = false)", pgParityFill},
		"SET (fillfactor = 70)", pgParityUpdate, nil},
	{"settings changed on the table during the run are followed, the ALTER's kept", []string{pgParityTable, pgParityFill},
		"SET (fillfactor = 70), ALTER COLUMN v SET STATISTICS 500", pgParityUpdate, []string{
			"ALTER TABLE t SET (fillfactor = 90, autovacuum_enabled = false), ALTER COLUMN v SET STATISTICS 50, ALTER COLUMN i SET STATISTICS 200",
			"ALTER TABLE t REPLICA IDENTITY FULL"}},
	{"statistics target and n_distinct", []string{pgParityTable, pgParityFill, "ALTER TABLE t ALTER COLUMN i SET STATISTICS 300"},
		"ALTER COLUMN v SET STATISTICS 500, ALTER COLUMN n SET (n_distinct = -0.5)", pgParityUpdate, nil},
	// point 6: the table's names in the ALTER
	{"drop constraints by name", []string{
		"CREATE TABLE t (id int PRIMARY KEY, i int NOT NULL, v text, n numeric(10,2), CONSTRAINT t_i_v_unique UNIQUE (id, i), CONSTRAINT t_v_check CHECK (v <> ''))",
		pgParityFill}, "DROP CONSTRAINT t_i_v_unique, DROP CONSTRAINT t_v_check", pgParityUpdate, nil},
	{"replica identity using the primary key by name", []string{pgParityTable, pgParityFill},
		"REPLICA IDENTITY USING INDEX t_pkey", pgParityUpdate, nil},
	{"replica identity using a unique index by name", []string{pgParityTable, pgParityFill, "CREATE UNIQUE INDEX t_code_idx ON t (i, id)"},
		"REPLICA IDENTITY USING INDEX t_code_idx", pgParityUpdate, nil},
	{"cluster on an index by name", []string{pgParityTable, pgParityFill, "CREATE INDEX t_i_idx ON t (i)"},
		"CLUSTER ON t_i_idx", pgParityUpdate, nil},
	// point 7: TYPE ... USING
	{"type using", []string{pgParityTable, pgParityFill},
		"ALTER COLUMN v TYPE integer USING length(v) * 10 + i, ALTER COLUMN n TYPE bigint USING (n * 100)::bigint -- cents", pgParityUpdate, nil},
	// point 4: a key that changes but still identifies rows
	{"primary key extended", []string{pgParityTable, pgParityFill},
		"DROP CONSTRAINT t_pkey, ADD PRIMARY KEY (id, i)", pgParityUpdate, nil},
	{"primary key extended under its own name", []string{pgParityTable, pgParityFill},
		"DROP CONSTRAINT t_pkey, ADD CONSTRAINT t_pkey PRIMARY KEY (id, i)", pgParityUpdate, nil},
}

// TestPostgresParityUnderWrites runs each ALTER under concurrent writes
// (updates, deletes, re-inserts of the same rows on the table and on a
// reference copy in another database), with the cut-over postponed until the
// writes stop, then applies the server's own ALTER to the reference: the
// definitions (names included) and every row must be the same.
func TestPostgresParityUnderWrites(t *testing.T) {
	for _, c := range pgParityCases {
		t.Run(c.name, func(t *testing.T) {
			e := newPGEnv(t)
			ref := pgParityRef(t)
			e.exec(c.create...)
			pgParityExec(t, ref, c.create...)
			e.exec("CREATE TABLE parity_seed AS SELECT * FROM t")
			pgParityExec(t, ref, "CREATE TABLE parity_seed AS SELECT * FROM t")

			cfg := e.config("t", c.alter)
			cfg.ChunkSize = 100
			cfg.PostponeFlagFile = flagFile(t)
			run := e.start(cfg)
			stop := pgParityWrites(t, e.app, ref, c.update)
			run.waitState(t, migration.StatePostponed)
			time.Sleep(200 * time.Millisecond)
			stop()
			e.exec(c.during...)
			pgParityExec(t, ref, c.during...)
			os.Remove(cfg.PostponeFlagFile)
			run.wait(t)

			requireAsServerALTER(t, e, ref, c.alter, "hotswap's table", "hotswap has")
		})
	}
}

func pgParityRef(t *testing.T) *sql.DB {
	srv := testdb.PostgresServer(t)
	name, _ := srv.NewDatabase(t)
	ref, err := sql.Open("pgx", srv.DSN(name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ref.Close() })
	return ref
}

func pgParityExec(t *testing.T, db *sql.DB, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// pgParityWrites runs the same random writes on both databases until stop:
// update a row, delete one, put a deleted one back from the seed.
func pgParityWrites(t *testing.T, db, ref *sql.DB, update string) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var werr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		rnd := rand.New(rand.NewSource(time.Now().UnixNano()))
		for ctx.Err() == nil {
			k := 1 + rnd.Intn(2000)
			var q string
			switch rnd.Intn(3) {
			case 0:
				q = fmt.Sprintf(update, k)
			case 1:
				q = fmt.Sprintf("DELETE FROM t WHERE id = %d", k)
			default:
				q = fmt.Sprintf("INSERT INTO t SELECT * FROM parity_seed WHERE id = %d ON CONFLICT DO NOTHING", k)
			}
			for _, d := range []*sql.DB{db, ref} {
				if _, err := d.ExecContext(context.Background(), q); err != nil {
					werr = fmt.Errorf("%s: %w", q, err)
					return
				}
			}
			time.Sleep(time.Millisecond)
		}
	}()
	return func() {
		cancel()
		wg.Wait()
		if werr != nil {
			t.Fatalf("writes: %v", werr)
		}
	}
}

// requireAsServerALTER applies the server's own ALTER to the reference and
// requires t to be the same there and on hotswap's side: its definition
// (names included) and every row; and no slot or publication left.
func requireAsServerALTER(t *testing.T, e *pgEnv, ref *sql.DB, alter, table, rows string) {
	t.Helper()
	pgParityExec(t, ref, "ALTER TABLE t "+alter)
	if got, want := pgParityDefinition(t, e.app), pgParityDefinition(t, ref); got != want {
		t.Errorf("%s differs from the server's ALTER:\n%s\nserver's:\n%s", table, got, want)
	}
	got, want := testdb.Strings(t, e.app, "SELECT t::text FROM t ORDER BY id"), testdb.Strings(t, ref, "SELECT t::text FROM t ORDER BY id")
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows differ: %s %d, the server's ALTER %d", rows, len(got), len(want))
	}
	e.requireNoSlotsOrPublications()
}

// pgParityDefinition describes t as the catalogue compares it (columns,
// constraints and indexes by name, clustering, replica identity, options).
func pgParityDefinition(t *testing.T, db *sql.DB) string {
	var out []string
	for _, q := range pgDefinitionQueries {
		out = append(out, testdb.Strings(t, db, q)...)
	}
	return strings.Join(out, "\n")
}

// TestPostgresParitySurvivesResume restarts the server mid-copy of an ALTER
// that sets what the cut-over used to overwrite (replica identity, storage
// parameter, statistics target), names the table's primary key, extends it
// and converts a column with USING; the --resume run must end with the
// table the server's own ALTER makes, every row included.
func TestPostgresParitySurvivesResume(t *testing.T) {
	const alter = "REPLICA IDENTITY FULL, SET (fillfactor = 70), ALTER COLUMN s SET STATISTICS 500, " +
		"ALTER COLUMN v TYPE bigint USING v * 2 + length(s), DROP CONSTRAINT t_pkey, ADD PRIMARY KEY (id, s)"
	create := []string{"CREATE TABLE t (id int PRIMARY KEY, v int, s varchar(32))",
		"INSERT INTO t SELECT g, g, 'r' || g FROM generate_series(1, 60000) g"}
	e := newPGEnv(t)
	ref := pgParityRef(t)
	e.exec(create...)
	pgParityExec(t, ref, create...)
	runRestartCase(t, restartCase{cfg: e.config("t", alter), start: e.start,
		restart: func() { e.srv.Restart(t) }, run: e.run,
		compare: func() {
			requireAsServerALTER(t, e, ref, alter, "the resumed run's table", "the resumed run has")
		}})
}
