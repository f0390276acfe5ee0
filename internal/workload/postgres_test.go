package workload

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hotswap/hotswap/internal/testdb"
	"github.com/jackc/pgx/v5/pgconn"
)

// openPG creates a fresh database on the test PostgreSQL with the session
// TimeZone set to a non-UTC zone (timestamptz values and keys must not
// depend on it), runs ddl as the hotswap role, which then owns the tables,
// and returns that role's pool.
func openPG(t *testing.T, ddl ...string) *sql.DB {
	t.Helper()
	srv := testdb.PostgresServer(t)
	name, admin := srv.NewDatabase(t)
	mustExec(t, admin, fmt.Sprintf(`ALTER DATABASE "%s" SET timezone = 'America/New_York'`, name))
	db, err := sql.Open("pgx", srv.DSN(name))
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxIdleConns(16) // keep worker connections instead of churning them
	t.Cleanup(func() { db.Close() })
	for _, s := range ddl {
		mustExec(t, db, s)
	}
	return db
}

const pgManyTypesDDL = `CREATE TABLE t (id bigint PRIMARY KEY, a int, s varchar(40), t text,
 b bytea, j jsonb, arr int[], ts timestamptz, u uuid, n numeric(10,2), flag boolean,
 g int GENERATED ALWAYS AS (a*2) STORED, uk int UNIQUE, wl_ver bigint,
 js json, tags varchar(10)[], d date, tsn timestamp(3), r real, dp double precision,
 sm smallint NOT NULL, ch char(5), nu numeric, iv interval)`

// TestPostgresWorkload loads 2000 rows, writes with 4 workers for 2 s,
// checks the table, then tampers with it and expects Check to name the
// differences.
func TestPostgresWorkload(t *testing.T) {
	db := openPG(t, pgManyTypesDDL)
	seed := time.Now().UnixNano()
	w, err := New(db, Options{Table: "t", Seed: seed, Workers: 4, BigValueRatio: 0.05})
	if err != nil {
		t.Fatal(err)
	}
	assertPlan(t, w.plan)
	ctx := context.Background()
	if err := w.Load(ctx, 2000); err != nil {
		t.Fatalf("seed %d: %v", seed, err)
	}
	if err := w.Check(ctx, db, "t"); err != nil {
		t.Fatalf("after Load: %v", err)
	}
	runFor(t, w, seed, 2*time.Second)
	if err := w.Check(ctx, db, "public.t"); err != nil {
		t.Fatalf("seed %d: %v", seed, err)
	}
	var toast int64
	mustQueryRow(t, db, "SELECT pg_relation_size(reltoastrelid) FROM pg_class WHERE oid = 't'::regclass", &toast)
	if toast == 0 {
		t.Errorf("seed %d: no TOASTed values", seed)
	}
	assertTamperingFound(t, w, db)
}

// assertPlan checks what introspection made of pgManyTypesDDL.
func assertPlan(t *testing.T, p *plan) {
	t.Helper()
	var written []string
	for _, c := range p.writeCols {
		written = append(written, c.Name)
	}
	got := strings.Join(written, ",")
	want := "id,a,s,t,b,j,arr,ts,u,n,flag,uk,wl_ver,js,tags,d,tsn,r,dp,sm,ch,nu"
	if got != want || p.key.index != "t_pkey" || p.fixedKey {
		t.Errorf("written %s, row key %s, fixed %v; want %s, t_pkey, false", got, p.key.index, p.fixedKey, want)
	}
	if _, ok := p.derived["uk"]; !ok {
		t.Errorf("uk not derived from the id: %v", p.derived)
	}
	if !strings.HasPrefix(p.insertSQL, `INSERT INTO "public"."t" ("id","a",`) || !strings.Contains(p.insertSQL, "$22)") {
		t.Errorf("insertSQL = %s", p.insertSQL)
	}
}

// runFor runs w for d and fails on errors or too little activity.
func runFor(t *testing.T, w *Workload, seed int64, d time.Duration) Stats {
	t.Helper()
	w.Start(context.Background())
	time.Sleep(d)
	stats := w.Stop()
	assertNoWorkers(t)
	t.Logf("seed %d: %+v", seed, summary(stats))
	for _, e := range stats.Errors {
		t.Errorf("seed %d: workload error: %v", seed, e)
	}
	if stats.Commits == 0 || stats.Inserts == 0 || stats.Updates == 0 || stats.Deletes == 0 {
		t.Errorf("seed %d: too little activity: %+v", seed, summary(stats))
	}
	return stats
}

// assertTamperingFound deletes one row and changes another's wl_ver; Check
// must report both ids.
func assertTamperingFound(t *testing.T, w *Workload, db *sql.DB) {
	t.Helper()
	live := w.model.liveIDs()
	staleID, goneID := live[0], live[1]
	mustExec(t, db, "UPDATE t SET wl_ver = wl_ver + 1000000 WHERE id = $1", staleID)
	mustExec(t, db, "DELETE FROM t WHERE id = $1", goneID)
	err := w.Check(context.Background(), db, "t")
	if err == nil {
		t.Fatal("Check passed on a tampered table")
	}
	msg := err.Error()
	t.Log(msg)
	for _, want := range []string{"1 missing, 0 extra, 1 stale",
		fmt.Sprintf("id %d: stale row", staleID), fmt.Sprintf("id %d: missing row", goneID)} {
		if !strings.Contains(msg, want) {
			t.Errorf("Check error lacks %q", want)
		}
	}
}

func mustQueryRow(t *testing.T, db *sql.DB, q string, dest ...any) {
	t.Helper()
	if err := db.QueryRow(q).Scan(dest...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// TestPostgresIdentity covers identity columns: a GENERATED ALWAYS key is
// inserted with OVERRIDING SYSTEM VALUE and never changed; one outside the
// key is left to the server; BY DEFAULT and serial columns are written.
func TestPostgresIdentity(t *testing.T) {
	for _, tc := range []struct{ name, ddl string }{
		{"always key", "CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text, s serial, wl_ver bigint)"},
		{"always non-key", "CREATE TABLE t (id int PRIMARY KEY, seq bigint GENERATED ALWAYS AS IDENTITY, v text, wl_ver bigint)"},
		{"by default key", "CREATE TABLE t (id int GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, v text, wl_ver bigint)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := openPG(t, tc.ddl)
			seed := time.Now().UnixNano()
			w, err := New(db, Options{Table: "t", Seed: seed, KeyChangeRatio: 0.5})
			if err != nil {
				t.Fatal(err)
			}
			always := tc.name == "always key"
			if w.plan.fixedKey != always || strings.Contains(w.plan.insertSQL, "OVERRIDING SYSTEM VALUE") != always ||
				strings.Contains(w.plan.insertSQL, `"seq"`) {
				t.Fatalf("fixedKey %v, insert %s", w.plan.fixedKey, w.plan.insertSQL)
			}
			if err := w.Load(context.Background(), 500); err != nil {
				t.Fatal(err)
			}
			s := runFor(t, w, seed, 500*time.Millisecond)
			if (s.KeyChanges == 0) != always {
				t.Errorf("%d key changes", s.KeyChanges)
			}
			if err := w.Check(context.Background(), db, "t"); err != nil {
				t.Fatalf("seed %d: %v", seed, err)
			}
		})
	}
}

// TestPostgresCompositeKey uses a composite key (int, text) and a derived
// unique column, in a table named "schema.table" that needs quoting.
func TestPostgresCompositeKey(t *testing.T) {
	db := openPG(t, "CREATE SCHEMA app", `CREATE TABLE app."Mixed ""Case""" (k1 int, k2 text, v varchar(20) UNIQUE,
		n int, wl_ver bigint NOT NULL, PRIMARY KEY (k1, k2))`)
	seed := time.Now().UnixNano()
	w, err := New(db, Options{Table: `app.Mixed "Case"`, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	if len(w.plan.key.cols) != 2 || len(w.plan.derived) != 1 {
		t.Fatalf("key %+v, derived %v", w.plan.key, w.plan.derived)
	}
	ctx := context.Background()
	if err := w.Load(ctx, 2000); err != nil {
		t.Fatal(err)
	}
	s := runFor(t, w, seed, time.Second)
	if s.KeyChanges == 0 {
		t.Errorf("no key changes")
	}
	if err := w.Check(ctx, db, `app.Mixed "Case"`); err != nil {
		t.Fatalf("seed %d: %v", seed, err)
	}
}

// TestPostgresKeyTypes runs a short workload on a single-column key of each
// supported type, then checks a copy whose key type was changed the way a
// migration might.
func TestPostgresKeyTypes(t *testing.T) {
	for _, tc := range []struct{ typ, altered string }{
		{"smallint", "bigint"},
		{"numeric(12,2)", "numeric(14,4)"},
		{"real", "double precision"},
		{"double precision", ""},
		{"text", ""},
		{"varchar(20)", "text"},
		{"char(16)", "varchar(30)"},
		{"bytea", ""},
		{"uuid", ""},
		{"date", ""},
		{"timestamp", "timestamp(3)"},
		{"timestamptz", "timestamptz(6)"},
	} {
		t.Run(strings.ReplaceAll(tc.typ, " ", "_"), func(t *testing.T) {
			ddl := "CREATE TABLE %s (k %s PRIMARY KEY, v varchar(10), wl_ver bigint)"
			db := openPG(t, fmt.Sprintf(ddl, "t", tc.typ))
			w := shortRun(t, db, 300*time.Millisecond)
			if tc.altered == "" {
				return
			}
			mustExec(t, db, fmt.Sprintf(ddl, "t_new", tc.altered))
			mustExec(t, db, "INSERT INTO t_new SELECT * FROM t")
			if err := w.Check(context.Background(), db, "t_new"); err != nil {
				t.Fatalf("after changing key type to %s: %v", tc.altered, err)
			}
		})
	}
}

// A UNIQUE boolean cannot be derived from the id: its random values
// collide, and unique_violation on it rolls back without an error.
func TestPostgresForeignDuplicatesRollBack(t *testing.T) {
	db := openPG(t, "CREATE TABLE t (id int PRIMARY KEY, u boolean UNIQUE, wl_ver bigint)")
	w, err := New(db, Options{Table: "t", Seed: 8})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	w.Start(ctx)
	time.Sleep(500 * time.Millisecond)
	s := w.Stop()
	// Workers waiting on each other's uncommitted u values may deadlock:
	// the server's answer to this test's own collisions.
	var other []error
	for _, err := range s.Errors {
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "40P01" {
			other = append(other, err)
		}
	}
	if len(other) > 0 || s.DupRollbacks == 0 || s.Rollbacks < s.DupRollbacks {
		t.Fatalf("want duplicate rollbacks and no other errors: %v; %+v", other, summary(s))
	}
	if err := w.Check(ctx, db, "t"); err != nil {
		t.Fatal(err)
	}
}

// A table that disappears for a moment shows up as errors wrapping the
// server's *pgconn.PgError, without corrupting the model.
func TestPostgresReportsServerErrors(t *testing.T) {
	db := openPG(t, "CREATE TABLE t (id int PRIMARY KEY, v text, wl_ver bigint)")
	w, err := New(db, Options{Table: "t", Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := w.Load(ctx, 300); err != nil {
		t.Fatal(err)
	}
	w.Start(ctx)
	time.Sleep(200 * time.Millisecond)
	mustExec(t, db, "ALTER TABLE t RENAME TO t_away")
	time.Sleep(200 * time.Millisecond)
	mustExec(t, db, "ALTER TABLE t_away RENAME TO t")
	time.Sleep(200 * time.Millisecond)
	s := w.Stop()
	if s.ErrorCount == 0 {
		t.Fatal("no errors while the table was away")
	}
	var pe *pgconn.PgError
	var oe *OpError
	if !errors.As(s.Errors[0], &oe) || !errors.As(s.Errors[0], &pe) || pe.Code != "42P01" {
		t.Errorf("first error %v, want an *OpError wrapping undefined_table (42P01)", s.Errors[0])
	}
	if err := w.Check(ctx, db, "t"); err != nil {
		t.Fatal(err)
	}
}
