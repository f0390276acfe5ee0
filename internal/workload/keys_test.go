package workload

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestKeyTypes runs a short workload on a single-column key of each
// supported type, then checks the table and a copy whose key column type
// was changed the way a migration might (wider, more precise, padded).
func TestKeyTypes(t *testing.T) {
	var members []string
	for i := range 40 {
		members = append(members, fmt.Sprintf("'m%02d'", i))
	}
	cases := []struct{ name, typ, prefix, altered string }{
		{"tinyint", "TINYINT", "", "SMALLINT"},
		{"int_unsigned", "INT UNSIGNED", "", "BIGINT"},
		{"decimal", "DECIMAL(8,3)", "", "DECIMAL(12,5)"},
		{"float", "FLOAT", "", "DOUBLE"},
		{"double", "DOUBLE", "", ""},
		{"char8", "CHAR(8)", "", "VARCHAR(20)"},
		{"varchar_latin1", "VARCHAR(13) CHARACTER SET latin1", "", "VARCHAR(30) CHARACTER SET utf8mb4"},
		{"binary", "BINARY(20)", "", "BINARY(24)"},
		{"varbinary", "VARBINARY(16)", "", "BINARY(16)"},
		{"text_prefix", "TEXT", "(16)", ""},
		{"blob_prefix", "BLOB", "(16)", ""},
		{"date", "DATE", "", ""},
		{"datetime", "DATETIME(3)", "", "DATETIME(6)"},
		{"timestamp", "TIMESTAMP(2)", "", "TIMESTAMP"},
		{"time", "TIME(1)", "", "TIME(3)"},
		{"year", "YEAR", "", ""},
		{"enum", "ENUM(" + strings.Join(members, ",") + ")", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ddl := "CREATE TABLE %s (k %s NOT NULL, v VARCHAR(10), wl_ver BIGINT, PRIMARY KEY (k%s))"
			db := openDB(t, fmt.Sprintf(ddl, "t", tc.typ, tc.prefix))
			w := shortRun(t, db, 300*time.Millisecond)
			if tc.altered == "" {
				return
			}
			mustExec(t, db, fmt.Sprintf(ddl, "t_new", tc.altered, tc.prefix))
			mustExec(t, db, "INSERT INTO t_new SELECT * FROM t")
			if err := w.Check(context.Background(), db, "t_new"); err != nil {
				t.Fatalf("after changing key type to %s: %v", tc.altered, err)
			}
		})
	}
}

// shortRun loads up to 200 rows, writes for d and checks the table.
func shortRun(t *testing.T, db *sql.DB, d time.Duration) *Workload {
	t.Helper()
	seed := time.Now().UnixNano()
	w, err := New(db, Options{Table: "t", Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	rows := min(200, w.plan.key.maxID()/2)
	if err := w.Load(ctx, int(rows)); err != nil {
		t.Fatalf("seed %d: %v", seed, err)
	}
	w.Start(ctx)
	time.Sleep(d)
	s := w.Stop()
	for _, e := range s.Errors {
		t.Errorf("seed %d: %v", seed, e)
	}
	if s.Commits == 0 {
		t.Errorf("seed %d: no commits", seed)
	}
	if err := w.Check(ctx, db, "t"); err != nil {
		t.Fatalf("seed %d: %v", seed, err)
	}
	return w
}
