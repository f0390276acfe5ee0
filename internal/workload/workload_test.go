package workload

import (
	"context"
	"database/sql"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/hotswap/hotswap/internal/testdb"
)

func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

// openDB creates a fresh database, creates the table with ddl as admin and
// returns a pool connected as the (less privileged) hotswap user.
func openDB(t *testing.T, ddl string) *sql.DB {
	t.Helper()
	srv := testdb.MySQLServer(t)
	name, admin := srv.NewDatabase(t)
	if _, err := admin.Exec(ddl); err != nil {
		t.Fatalf("creating table: %v\n%s", err, ddl)
	}
	db, err := sql.Open("mysql", srv.DSN(name)+"&parseTime=false")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxIdleConns(16) // keep worker connections instead of churning them
	t.Cleanup(func() { db.Close() })
	return db
}

const manyTypesDDL = "CREATE TABLE t (" +
	"id BIGINT UNSIGNED NOT NULL PRIMARY KEY, " +
	"i8 TINYINT, u8 TINYINT UNSIGNED NOT NULL, i16 SMALLINT, u24 MEDIUMINT UNSIGNED, i32 INT NOT NULL, " +
	"i64 BIGINT, u64 BIGINT UNSIGNED, dec_big DECIMAL(65,30), dec_small DECIMAL(5,2) UNSIGNED NOT NULL, " +
	"f FLOAT, d DOUBLE NOT NULL, fmd FLOAT(7,3), " +
	"dt6 DATETIME(6), dt DATETIME NOT NULL, ts3 TIMESTAMP(3) NULL, dat DATE, tm2 TIME(2), yr YEAR, " +
	"en ENUM('a','b''c','d\\\\e','f,g') NOT NULL, st SET('x','y','z'), b1 BIT(1), b64 BIT(64), " +
	"bin BINARY(16), vbin VARBINARY(100), ch CHAR(10) CHARACTER SET latin1, " +
	"vc VARCHAR(200) CHARACTER SET utf8mb4, vc3 VARCHAR(50) CHARACTER SET utf8mb3, " +
	"tt TINYTEXT CHARACTER SET utf8mb4, tx TEXT, mt MEDIUMTEXT CHARACTER SET utf8mb4, " +
	"bl BLOB, mb MEDIUMBLOB, js JSON, uu UUID, ip INET6, " +
	"gv BIGINT AS (i32 + 1) VIRTUAL, gs VARCHAR(20) AS (LEFT(vc, 20)) STORED, " +
	"email VARCHAR(64) NOT NULL, nu INT NULL, " +
	"wl_ver BIGINT NULL, " +
	"UNIQUE KEY uk_email (email), UNIQUE KEY uk_nu (nu), KEY k_dt (dt), KEY k_gs (gs)" +
	") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"

// Composite primary key: SMALLINT (id/16), VARCHAR (id%16), DATETIME(3)
// (id); a BINARY unique key and a composite unique key besides.
const compositeDDL = "CREATE TABLE t (" +
	"grp SMALLINT UNSIGNED NOT NULL, code VARCHAR(40) NOT NULL, at DATETIME(3) NOT NULL, " +
	"bk BINARY(20) NOT NULL, u1 INT, u2 CHAR(13), note VARCHAR(100), n INT, wl_ver BIGINT NOT NULL, " +
	"PRIMARY KEY (grp, code, at), UNIQUE KEY uk_bk (bk), UNIQUE KEY uk_u (u1, u2)" +
	") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"

// No primary key: the row key is the NOT NULL unique key uk_sku; the
// nullable unique key on a prefix of a TEXT column is derived from the id.
const uniqueKeyDDL = "CREATE TABLE t (" +
	"sku VARCHAR(24) CHARACTER SET latin1 NOT NULL, price DECIMAL(10,2), body TEXT, " +
	"qty INT NOT NULL, wl_ver BIGINT, " +
	"UNIQUE KEY uk_body (body(20)), UNIQUE KEY uk_sku (sku)" +
	") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"

func TestWorkloadManyTypes(t *testing.T) {
	runWorkload(t, manyTypesDDL, "PRIMARY")
}

func TestWorkloadCompositeKey(t *testing.T) {
	runWorkload(t, compositeDDL, "PRIMARY")
}

func TestWorkloadUniqueKeyNoPK(t *testing.T) {
	runWorkload(t, uniqueKeyDDL, "uk_sku")
}

// runWorkload loads 2000 rows, writes for 3 s and checks the table.
func runWorkload(t *testing.T, ddl, wantKey string) {
	db := openDB(t, ddl)
	seed := time.Now().UnixNano()
	w, err := New(db, Options{Table: "t", Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	if w.plan.key.index != wantKey {
		t.Fatalf("row key = %s, want %s", w.plan.key.index, wantKey)
	}
	ctx := context.Background()
	if err := w.Load(ctx, 2000); err != nil {
		t.Fatalf("seed %d: %v", seed, err)
	}
	if err := w.Check(ctx, db, "t"); err != nil {
		t.Fatalf("after Load: %v", err)
	}
	w.Start(ctx)
	time.Sleep(3 * time.Second)
	stats := w.Stop()
	assertNoWorkers(t)
	t.Logf("seed %d: %+v", seed, summary(stats))
	for _, e := range stats.Errors {
		t.Errorf("seed %d: workload error: %v", seed, e)
	}
	if stats.Commits == 0 || stats.Inserts == 0 || stats.Updates == 0 || stats.Deletes == 0 {
		t.Errorf("seed %d: too little activity: %+v", seed, summary(stats))
	}
	if err := w.Check(ctx, db, "t"); err != nil {
		t.Fatalf("seed %d: %v", seed, err)
	}
}

// assertNoWorkers fails if a worker goroutine outlived Stop. A worker's
// last act is signalling Stop, so it may take a moment to vanish from the
// stack dump; like goleak, poll briefly.
func assertNoWorkers(t *testing.T) {
	t.Helper()
	buf := make([]byte, 1<<20)
	var stacks string
	for range 100 {
		stacks = string(buf[:runtime.Stack(buf, true)])
		if !strings.Contains(stacks, "workload.(*worker)") {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Errorf("worker goroutine still running after Stop:\n%s", stacks)
}

func summary(s Stats) Stats {
	s.Errors = nil
	return s
}

func TestCheckReportsDifferences(t *testing.T) {
	db := openDB(t, manyTypesDDL)
	w, err := New(db, Options{Table: "t", Seed: 7, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := w.Load(ctx, 500); err != nil {
		t.Fatal(err)
	}
	w.Start(ctx)
	time.Sleep(500 * time.Millisecond)
	if s := w.Stop(); len(s.Errors) > 0 {
		t.Fatalf("workload errors: %v", s.Errors)
	}
	if err := w.Check(ctx, db, "t"); err != nil {
		t.Fatal(err)
	}
	live := w.model.liveIDs()
	staleID, goneID := live[0], live[1]
	freeID, ok := w.model.parts[0].randomFree(rand.New(rand.NewPCG(1, 2)), 2, w.KeySpace())
	if !ok {
		t.Fatal("no free id")
	}
	mustExec(t, db, "UPDATE t SET wl_ver = wl_ver + 1000000 WHERE id = ?", staleID)
	mustExec(t, db, "DELETE FROM t WHERE id = ?", goneID)
	mustExec(t, db, w.plan.insertSQL, w.plan.rowValues(newGen(1, 1, 0), freeID, 1, false)...)
	mustExec(t, db, w.plan.insertSQL, w.plan.rowValues(newGen(1, 2, 0), w.KeySpace()+5, 2, false)...)

	err = w.Check(ctx, db, "t")
	if err == nil {
		t.Fatal("Check passed on a tampered table")
	}
	msg := err.Error()
	t.Log(msg)
	for _, want := range []string{"1 missing, 2 extra, 1 stale",
		"stale row", "missing row", "extra row (deleted or never acknowledged)", "not a workload key"} {
		if !strings.Contains(msg, want) {
			t.Errorf("Check error lacks %q", want)
		}
	}
}

func mustExec(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}
