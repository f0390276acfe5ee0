package migration_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hotswap/hotswap/dialect/mysql"
	"github.com/hotswap/hotswap/migration"
)

// standalone runs migration.Checksum and returns its report and output.
func standalone(t *testing.T, cfg migration.Config, shadow string) (migration.Report, string, error) {
	t.Helper()
	out := &syncBuffer{}
	cfg.Out = out
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, err := migration.Checksum(ctx, cfg, shadow)
	return rep, out.String(), err
}

// wantDiffs checks the differing keys (single-column keys, in key order)
// and their kinds.
func wantDiffs(t *testing.T, rep migration.Report, out string, want []string) {
	t.Helper()
	var got []string
	for _, d := range rep.Diffs {
		got = append(got, rep.KeyText(d.Key)+" "+d.Kind)
	}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Fatalf("differing rows:\n got %q\nwant %q\n%s", got, want, out)
	}
}

// TestChecksumStandaloneMySQL: a shadow copied with INSERT ... SELECT is
// equal (also while writers change both tables in one transaction); a
// changed, a missing and an extra row are each reported with their kind.
func TestChecksumStandaloneMySQL(t *testing.T) {
	e := newEnv(t)
	e.exec("CREATE TABLE t (id INT PRIMARY KEY, a INT NOT NULL, b VARCHAR(32), c DATETIME(3) NULL)",
		"INSERT INTO t SELECT seq, seq % 1000, CONCAT('row', seq), IF(seq % 3 = 0, NULL, '2024-01-02 03:04:05.678') FROM seq_1_to_20000",
		"CREATE TABLE _t_new LIKE t", "INSERT INTO _t_new SELECT * FROM t")
	cfg := e.config("t", "")
	cfg.ChunkSize = 3000
	rep, out, err := standalone(t, cfg, "")
	if err != nil || !rep.Equal() || rep.Chunks != 7 || rep.Shadow != e.db+"._t_new" {
		t.Fatalf("equal tables: %+v %v\n%s", rep, err, out)
	}
	if !strings.Contains(out, "Equal: no row differs") || !strings.Contains(out, "7 chunks on 2 connections") || !strings.Contains(out, "Key (id); 4 columns compared: id, a, b, c.") {
		t.Fatalf("report of equal tables:\n%s", out)
	}

	// writers that keep both tables equal, one transaction each, while the
	// writes are held for the snapshots to start
	var stop atomic.Bool
	var wg sync.WaitGroup
	var writes atomic.Int64
	writer, err := sqlOpen(e.srv.DSN(e.db))
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	for w := range 2 {
		wg.Go(func() {
			for i := 0; !stop.Load(); i++ {
				id := 1 + (i*7919+w*104729)%20000
				if err := bothTables(writer, "UPDATE %s SET a = a + 1 WHERE id = ?", id); err != nil {
					t.Errorf("writer: %v", err)
					return
				}
				writes.Add(1)
			}
		})
	}
	time.Sleep(100 * time.Millisecond)
	rep, out, err = standalone(t, cfg, "")
	stop.Store(true)
	wg.Wait()
	if err != nil || !rep.Equal() {
		t.Fatalf("equal tables under writes: %+v %v\n%s", rep, err, out)
	}
	if writes.Load() == 0 {
		t.Fatal("the writers wrote nothing")
	}

	e.exec("UPDATE _t_new SET b = 'changed' WHERE id = 4321", "DELETE FROM _t_new WHERE id = 777",
		"INSERT INTO _t_new VALUES (20001, 1, 'extra', NULL)", "UPDATE _t_new SET c = NULL WHERE id = 12001")
	rep, out, err = standalone(t, cfg, "")
	if err != nil {
		t.Fatalf("corrupted shadow: %v\n%s", err, out)
	}
	wantDiffs(t, rep, out, []string{"id=777 " + migration.DiffMissing, "id=4321 " + migration.DiffChanged,
		"id=12001 " + migration.DiffChanged, "id=20001 " + migration.DiffExtra})
	if !strings.Contains(out, "4 rows differ; first differing key id=777") {
		t.Fatalf("report of the differences:\n%s", out)
	}
}

// bothTables runs the statement on t and _t_new in one transaction.
func bothTables(db *sql.DB, stmt string, args ...any) error {
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, table := range []string{"t", "_t_new"} {
		if _, err := tx.Exec(fmt.Sprintf(stmt, table), args...); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// TestChecksumStandaloneMySQLColumns: a shadow with a dropped and an added
// column compares the common ones; --shadow names any table; a missing
// shadow, a shadow without the key, or a live run are refused.
func TestChecksumStandaloneMySQLColumns(t *testing.T) {
	e := newEnv(t)
	e.exec("CREATE TABLE u (id INT PRIMARY KEY, a INT, gone VARCHAR(10))",
		"INSERT INTO u SELECT seq, seq, 'x' FROM seq_1_to_2000",
		"CREATE TABLE _u_new LIKE u", "INSERT INTO _u_new SELECT * FROM u",
		"ALTER TABLE _u_new DROP COLUMN gone, ADD COLUMN added INT DEFAULT 5",
		"CREATE TABLE u_copy LIKE u", "INSERT INTO u_copy SELECT * FROM u")
	cfg := e.config("u", "")
	rep, out, err := standalone(t, cfg, "")
	if err != nil || !rep.Equal() || strings.Join(rep.Columns, ",") != "id,a" ||
		strings.Join(rep.LeftOut, "; ") != "gone (only in u); added (only in _u_new)" {
		t.Fatalf("common columns: %+v %v\n%s", rep, err, out)
	}
	e.exec("UPDATE _u_new SET a = -1 WHERE id = 1500")
	rep, out, _ = standalone(t, cfg, "")
	wantDiffs(t, rep, out, []string{"id=1500 " + migration.DiffChanged})
	if rep, out, err := standalone(t, cfg, "u_copy"); err != nil || !rep.Equal() || rep.Shadow != e.db+".u_copy" {
		t.Fatalf("--shadow u_copy: %+v %v\n%s", rep, err, out)
	}

	e.exec("CREATE TABLE v (id INT PRIMARY KEY)")
	_, _, err = standalone(t, e.config("v", ""), "")
	if !migration.IsRefused(err) || !strings.Contains(err.Error(), e.db+"._v_new does not exist") || !strings.Contains(err.Error(), "--shadow") {
		t.Fatalf("missing shadow: %v", err)
	}
	e.exec("CREATE TABLE w (id INT PRIMARY KEY, a INT)", "CREATE TABLE _w_new (a INT)")
	_, _, err = standalone(t, e.config("w", ""), "")
	if !migration.IsRefused(err) || !strings.Contains(err.Error(), "no common key") || !strings.Contains(err.Error(), "lacks key column id") {
		t.Fatalf("shadow without the key: %v", err)
	}
	_, _, err = standalone(t, e.config("nope", ""), "")
	if !migration.IsRefused(err) || !strings.Contains(err.Error(), e.db+".nope does not exist") {
		t.Fatalf("missing table: %v", err)
	}
	if _, _, err = standalone(t, cfg, "u"); !migration.IsRefused(err) {
		t.Fatalf("--shadow naming the table itself: %v", err)
	}

	// a run live on the table holds its lock
	conn, err := e.admin.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var got int
	if err := conn.QueryRowContext(context.Background(), "SELECT GET_LOCK(?, 0)", mysql.RunLockName(e.db, "u")).Scan(&got); err != nil || got != 1 {
		t.Fatalf("take the run lock: %d %v", got, err)
	}
	if _, _, err = standalone(t, cfg, ""); !migration.IsRefused(err) || !strings.Contains(err.Error(), "already running") {
		t.Fatalf("live run: %v", err)
	}
}

// TestChecksumStandalonePostgres: the same on PostgreSQL, with a shadow made
// by CREATE TABLE ... (LIKE ... INCLUDING ALL).
func TestChecksumStandalonePostgres(t *testing.T) {
	e := newPGEnv(t)
	e.exec("CREATE TABLE t (id bigint PRIMARY KEY, a int NOT NULL, b text, c timestamptz)",
		"INSERT INTO t SELECT g, g % 1000, 'row' || g, CASE WHEN g % 3 = 0 THEN NULL ELSE '2024-01-02 03:04:05.678+00'::timestamptz END FROM generate_series(1, 20000) g",
		"CREATE TABLE _t_new (LIKE t INCLUDING ALL)", "INSERT INTO _t_new SELECT * FROM t")
	cfg := e.config("t", "")
	cfg.ChunkSize = 3000
	rep, out, err := standalone(t, cfg, "")
	if err != nil || !rep.Equal() || rep.Chunks != 7 || rep.Shadow != "public._t_new" {
		t.Fatalf("equal tables: %+v %v\n%s", rep, err, out)
	}
	e.exec("UPDATE _t_new SET b = 'changed' WHERE id = 4321", "DELETE FROM _t_new WHERE id = 777",
		"INSERT INTO _t_new VALUES (20001, 1, 'extra', NULL)")
	rep, out, err = standalone(t, cfg, "")
	if err != nil {
		t.Fatalf("corrupted shadow: %v\n%s", err, out)
	}
	wantDiffs(t, rep, out, []string{"id=777 " + migration.DiffMissing, "id=4321 " + migration.DiffChanged, "id=20001 " + migration.DiffExtra})
	if !strings.Contains(out, "3 rows differ; first differing key id=777") {
		t.Fatalf("report of the differences:\n%s", out)
	}
	e.requireNoSlotsOrPublications()
}

// TestChecksumStandalonePostgresColumns: composite key, a dropped and an
// added column, the refusals.
func TestChecksumStandalonePostgresColumns(t *testing.T) {
	e := newPGEnv(t)
	e.exec("CREATE SCHEMA s",
		"CREATE TABLE s.u (region text, id int, a numeric(10,2), gone text, PRIMARY KEY (region, id))",
		"INSERT INTO s.u SELECT 'r' || (g % 3), g, g / 7.0, 'x' FROM generate_series(1, 3000) g",
		"CREATE TABLE s._u_new (LIKE s.u INCLUDING ALL)", "INSERT INTO s._u_new SELECT * FROM s.u",
		"ALTER TABLE s._u_new DROP COLUMN gone, ADD COLUMN added int DEFAULT 5")
	cfg := e.config("u", "")
	cfg.Schema = "s"
	cfg.ChunkSize = 500
	rep, out, err := standalone(t, cfg, "")
	if err != nil || !rep.Equal() || strings.Join(rep.Columns, ",") != "region,id,a" ||
		strings.Join(rep.LeftOut, "; ") != "gone (only in u); added (only in _u_new)" {
		t.Fatalf("common columns: %+v %v\n%s", rep, err, out)
	}
	e.exec("UPDATE s._u_new SET a = 0 WHERE region = 'r1' AND id = 1000", "DELETE FROM s._u_new WHERE region = 'r2' AND id = 2")
	rep, out, err = standalone(t, cfg, "")
	if err != nil {
		t.Fatal(err)
	}
	wantDiffs(t, rep, out, []string{`(region="r1", id=1000) ` + migration.DiffChanged, `(region="r2", id=2) ` + migration.DiffMissing})

	e.exec("CREATE TABLE v (id int PRIMARY KEY)")
	_, _, err = standalone(t, e.config("v", ""), "")
	if !migration.IsRefused(err) || !strings.Contains(err.Error(), "public._v_new does not exist") || !strings.Contains(err.Error(), "--shadow") {
		t.Fatalf("missing shadow: %v", err)
	}
	e.exec("CREATE TABLE w (id int PRIMARY KEY, a int)", "CREATE TABLE _w_new (id int, a int)")
	_, _, err = standalone(t, e.config("w", ""), "")
	if !migration.IsRefused(err) || !strings.Contains(err.Error(), "no common key") || !strings.Contains(err.Error(), "_w_new has no primary key") {
		t.Fatalf("shadow without the key: %v", err)
	}
	e.exec("CREATE TABLE x (id int PRIMARY KEY, a int)", "CREATE TABLE _x_new (a int PRIMARY KEY)")
	_, _, err = standalone(t, e.config("x", ""), "")
	if !migration.IsRefused(err) || !strings.Contains(err.Error(), "lacks id") {
		t.Fatalf("shadow without the key column: %v", err)
	}
}

// TestReportKeyText: keys as drivers return them (int64, the text of a
// number as bytes, text, NULL) read the same in the report.
func TestReportKeyText(t *testing.T) {
	r := migration.Report{KeyColumns: []string{"id"}}
	for _, c := range []struct {
		key  []any
		want string
	}{
		{[]any{int64(17)}, "id=17"},
		{[]any{[]byte("17")}, "id=17"},
		{[]any{"abc"}, `id="abc"`},
		{[]any{nil}, "id=NULL"},
	} {
		if got := r.KeyText(c.key); got != c.want {
			t.Errorf("KeyText(%v) = %s, want %s", c.key, got, c.want)
		}
	}
	r.KeyColumns = []string{"region", "id"}
	if got := r.KeyText([]any{[]byte("eu"), uint64(18446744073709551615)}); got != `(region="eu", id=18446744073709551615)` {
		t.Errorf("composite key: %s", got)
	}
	if n := (migration.Report{Diffs: make([]migration.Diff, migration.MaxDiffs)}).Differing(); n != fmt.Sprintf("at least %d rows differ", migration.MaxDiffs) {
		t.Errorf("at the limit: %s", n)
	}
}
