package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hotswap/hotswap/internal/testdb"
	"github.com/hotswap/hotswap/schema"
)

// rowsTestTypes reads column -> format_type() of a table.
func rowsTestTypes(t *testing.T, db *sql.DB, table string) map[string]string {
	t.Helper()
	rows, err := db.Query(`SELECT attname::text, format_type(atttypid, atttypmod) FROM pg_attribute
		WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`, table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	types := map[string]string{}
	for rows.Next() {
		var c, typ string
		if err := rows.Scan(&c, &typ); err != nil {
			t.Fatal(err)
		}
		types[c] = typ
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return types
}

// rowsTestRows builds Rows for src and its shadow, pairing the columns they
// share by name, in the source's order.
func rowsTestRows(t *testing.T, db *sql.DB, src, shadow string, key ...string) *Rows {
	t.Helper()
	st, dt := rowsTestTypes(t, db, src), rowsTestTypes(t, db, shadow)
	var pairs []schema.ColumnPair
	for _, c := range rowsTestColumns(t, db, src) {
		if _, ok := dt[c]; ok {
			pairs = append(pairs, schema.ColumnPair{Source: c, Target: c})
		}
	}
	return &Rows{DB: db, Schema: "public", Source: src, Shadow: shadow, Pairs: pairs,
		KeyColumns: key, SrcTypes: st, DstTypes: dt}
}

func rowsTestColumns(t *testing.T, db *sql.DB, table string) []string {
	t.Helper()
	return testdb.Strings(t, db, `SELECT attname::text FROM pg_attribute
		WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`, table)
}

// rowsTestDump is every row of table as text, over the Pairs' columns of its
// side, in key order: equal dumps mean equal tables.
func rowsTestDump(t *testing.T, r *Rows, table string) []string {
	t.Helper()
	var cols []string
	for _, p := range r.Pairs {
		c := p.Source
		if table == r.Shadow {
			c = p.Target
		}
		cols = append(cols, rowsIdent(c)+"::text")
	}
	key := r.KeyColumns
	if table == r.Shadow && r.DstKeyColumns != nil {
		key = r.DstKeyColumns
	}
	q := fmt.Sprintf("SELECT concat_ws('|', %s) FROM %s ORDER BY %s",
		strings.Join(cols, ", "), rowsIdent(table), rowsKeyOf(key, nil).orderBy(""))
	rows, err := r.DB.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// rowsTestSame fails unless source and shadow hold the same rows.
func rowsTestSame(t *testing.T, r *Rows) {
	t.Helper()
	src, dst := rowsTestDump(t, r, r.Source), rowsTestDump(t, r, r.Shadow)
	if !slices.Equal(src, dst) {
		t.Fatalf("shadow differs from source:\nsource (%d rows) %.400q\nshadow (%d rows) %.400q", len(src), src, len(dst), dst)
	}
}

// rowsTestCopyAll copies the whole table chunk by chunk as the copier does
// and returns the rows copied and the chunk count.
func rowsTestCopyAll(t *testing.T, r *Rows, size int) (copied int64, chunks int) {
	t.Helper()
	ctx := context.Background()
	var lo []any
	for {
		hi, ok, err := r.NextBoundary(ctx, lo, size)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			hi = nil
		}
		n, missing, err := r.CopyRange(ctx, lo, hi)
		if err != nil {
			t.Fatal(err)
		}
		if len(missing) > 0 {
			t.Fatalf("chunk (%v..%v] missed %v", lo, hi, missing)
		}
		copied, chunks = copied+n, chunks+1
		if !ok {
			return copied, chunks
		}
		lo = hi
	}
}

// rowsTestKeys renders keys for order-free comparison.
func rowsTestKeys(keys [][]any) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = fmt.Sprintf("%v", k)
	}
	slices.Sort(out)
	return out
}

func rowsTestExec(t *testing.T, db interface {
	Exec(string, ...any) (sql.Result, error)
}, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}
