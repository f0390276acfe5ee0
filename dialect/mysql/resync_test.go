package mysql_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/hotswap/hotswap/applier"
	"github.com/hotswap/hotswap/dialect/mysql"
	"github.com/hotswap/hotswap/internal/testdb"
	"github.com/hotswap/hotswap/schema"
)

func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

// rowsFor sets up src t and shadow _t_new (same definition plus extra DDL)
// and returns the resync SQL for them.
func rowsFor(t *testing.T, shadowExtra string, stmts ...string) (*mysql.Rows, *sql.DB) {
	t.Helper()
	srv := testdb.MySQLServer(t)
	name, admin := srv.NewDatabase(t)
	base := []string{
		"CREATE TABLE t (id INT PRIMARY KEY, u INT NOT NULL, v INT, UNIQUE KEY uk_u (u))",
		"CREATE TABLE _t_new LIKE t",
	}
	if shadowExtra != "" {
		base = append(base, "ALTER TABLE _t_new "+shadowExtra)
	}
	for _, s := range append(base, stmts...) {
		if _, err := admin.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	ctx := context.Background()
	db, err := mysql.Open(ctx, mysql.Config{Host: srv.Host, Port: srv.Port, User: srv.User, Password: srv.Password, Database: name})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	src, err := mysql.LoadTable(ctx, db, name, "t")
	if err != nil {
		t.Fatal(err)
	}
	dst, err := mysql.LoadTable(ctx, db, name, "_t_new")
	if err != nil {
		t.Fatal(err)
	}
	pairs := schema.MapColumns(src, dst, &schema.Alter{Renames: map[string]string{}, Dropped: map[string]bool{}})
	return &mysql.Rows{DB: db, Database: name, Source: "t", Shadow: "_t_new", Pairs: pairs,
		SrcKey: src.Uniques[0], DstKey: dst.Uniques[0], SrcTable: src, DstTable: dst, ShareLock: "LOCK IN SHARE MODE"}, admin
}

func key(id int) []any { return []any{int64(id)} }

// A transaction swapped the unique values of rows 1 and 2; only key 1 is in
// the batch. The resync must find shadow row 2 as the stale holder of the
// value, and the applier must resolve it by resyncing both.
func TestResyncResolvesStaleUniqueValue(t *testing.T) {
	rows, admin := rowsFor(t, "",
		"INSERT INTO _t_new VALUES (1, 20, 1), (2, 10, 2)", // as copied
		"INSERT INTO t VALUES (1, 10, 1), (2, 20, 2)")      // after the swap
	ctx := context.Background()
	err := rows.ResyncTx(ctx, [][]any{key(1)})
	var dup *mysql.DuplicateError
	if !errors.As(err, &dup) || len(dup.Conflicts) != 1 || dup.Conflicts[0][0] != int64(2) {
		t.Fatalf("resync of key 1: want a duplicate naming stale shadow row 2, got %v", err)
	}
	a := applier.New(rows.ResyncTx, applier.Options{BatchSize: 1})
	a.Add(ctx, [][]any{key(1)})
	a.Pause()
	if err := a.Drain(ctx, rows.ResyncTx); err != nil {
		t.Fatalf("applier did not resolve the stale row: %v", err)
	}
	var diff int
	admin.QueryRow("SELECT COUNT(*) FROM t JOIN _t_new n USING (id) WHERE NOT (t.u <=> n.u AND t.v <=> n.v)").Scan(&diff)
	if diff != 0 {
		t.Fatalf("%d rows differ after the resync", diff)
	}
}

// The ALTER adds a unique key the source violates: the run must fail naming
// the key and the value, not loop or drop a row.
func TestResyncFailsOnRealDuplicate(t *testing.T) {
	rows, _ := rowsFor(t, "ADD UNIQUE KEY uk_v (v)",
		"INSERT INTO t VALUES (3, 30, 7), (4, 40, 7)",
		"INSERT INTO _t_new VALUES (3, 30, 7)")
	ctx := context.Background()
	a := applier.New(rows.ResyncTx, applier.Options{})
	a.Add(ctx, [][]any{key(4)})
	a.Pause()
	err := a.Drain(ctx, rows.ResyncTx)
	if err == nil {
		t.Fatal("a duplicate in the source was not reported")
	}
	for _, want := range []string{"new unique key rejects", "Duplicate entry '7'", "uk_v"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}
