package postgres

import (
	"context"
	"testing"

	"github.com/hotswap/hotswap/copier"
)

var _ copier.Source = (*Rows)(nil)

// TestCopyRangeIntKey: chunks cut by NextBoundary copy every row once, into a
// shadow with a wider key, a wider numeric and one more column; the last
// chunk is open-ended; copying a range again inserts nothing.
func TestCopyRangeIntKey(t *testing.T) {
	_, db, _ := appDB(t,
		"CREATE TABLE src (id int PRIMARY KEY, v text, n numeric(10,2), ts timestamptz)",
		`INSERT INTO src SELECT g, 'v' || g, g / 7.0, now() - g * interval '1 min'
			FROM generate_series(1, 1000) g WHERE g % 13 <> 0`, // 924 rows, with gaps
		"CREATE TABLE src_new (id bigint PRIMARY KEY, v text, n numeric(12,2), ts timestamptz, note text DEFAULT 'x')",
	)
	r := rowsTestRows(t, db, "src", "src_new", "id")
	ctx := context.Background()
	first, ok, err := r.NextBoundary(ctx, nil, 97)
	if err != nil || !ok || first[0] != int64(105) { // the 97th row: 8 multiples of 13 skipped
		t.Fatalf("first boundary = %#v, %v, %v; want [105] (an int64)", first, ok, err)
	}
	copied, chunks := rowsTestCopyAll(t, r, 97)
	if copied != 924 || chunks != 10 {
		t.Fatalf("copied %d rows in %d chunks, want 924 in 10 (9 full, 1 open-ended)", copied, chunks)
	}
	rowsTestSame(t, r)
	for _, rg := range [][2][]any{{{int64(100)}, {int64(300)}}, {nil, {int64(50)}}, {{int64(900)}, nil}, {nil, nil}} {
		n, missing, err := r.CopyRange(ctx, rg[0], rg[1])
		if err != nil || n != 0 || missing != nil {
			t.Errorf("copy (%v..%v] again: %d rows, missing %v, %v; want 0, none", rg[0], rg[1], n, missing, err)
		}
	}
}

// TestCopyRangeCompositeKey: an (int, text) key, with strings whose order
// depends on the collation, chunk by chunk; the boundaries are what the
// server's ordering says.
func TestCopyRangeCompositeKey(t *testing.T) {
	_, db, _ := appDB(t,
		"CREATE TABLE comp (a int, b text, v int, PRIMARY KEY (a, b))",
		`INSERT INTO comp SELECT a, b, a * 100 + length(b)
			FROM generate_series(1, 20) a, unnest(ARRAY['a', 'B', 'b', 'ä', 'Z', 'z ', '', 'it''s', '"q"', 'ß']) b`,
		"CREATE TABLE comp_new (a int, b text, v bigint, extra int, PRIMARY KEY (a, b))",
	)
	r := rowsTestRows(t, db, "comp", "comp_new", "a", "b")
	copied, chunks := rowsTestCopyAll(t, r, 7)
	if copied != 200 || chunks != 29 {
		t.Fatalf("copied %d rows in %d chunks, want 200 in 29", copied, chunks)
	}
	rowsTestSame(t, r)
	if n, _, err := r.CopyRange(context.Background(), []any{int64(3), "b"}, []any{int64(9), ""}); err != nil || n != 0 {
		t.Fatalf("copy a range again: %d rows, %v; want 0", n, err)
	}
}

// TestCopyRangeDrivenByCopier: the copier, two threads, over a (timestamp,
// uuid) key: boundaries come back as PostgreSQL's text and go in again
// through the parameter casts, so no time zone or precision is lost.
func TestCopyRangeDrivenByCopier(t *testing.T) {
	_, db, _ := appDB(t,
		"CREATE TABLE ev (at timestamp(6), id uuid, v int, PRIMARY KEY (at, id))",
		`INSERT INTO ev SELECT timestamp '2024-01-01 00:00:00.123456' + (g % 50) * interval '1.000001 s',
			md5(g::text)::uuid, g FROM generate_series(1, 500) g`,
		"CREATE TABLE ev_new (at timestamp(6), id uuid, v int, PRIMARY KEY (at, id))",
	)
	r := rowsTestRows(t, db, "ev", "ev_new", "at", "id")
	k, _, err := r.NextBoundary(context.Background(), nil, 3)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := k[0].(string); !ok {
		t.Fatalf("boundary %#v: want the timestamp as text, as the stream gives it", k)
	}
	c := copier.New(r, copier.Options{ChunkSize: 9, Threads: 2})
	if err := c.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if c.Copied() != 500 {
		t.Fatalf("copier copied %d rows, want 500", c.Copied())
	}
	rowsTestSame(t, r)
}
