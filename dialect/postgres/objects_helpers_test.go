package postgres

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"testing"

	"github.com/jackc/pgx/v5"
)

// objectsTestRole creates a role (cluster-wide, hence the random name) for
// the test and drops it, with whatever it holds in the test's database, in
// t.Cleanup (before the database goes).
func objectsTestRole(t *testing.T, admin *sql.DB, attributes string) string {
	t.Helper()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := "hs_role_" + hex.EncodeToString(b)
	quoted := pgx.Identifier{name}.Sanitize()
	if _, err := admin.Exec("CREATE ROLE " + quoted + " " + attributes); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, st := range []string{"DROP OWNED BY " + quoted, "DROP ROLE " + quoted} {
			if _, err := admin.Exec(st); err != nil {
				t.Logf("%s: %v", st, err)
			}
		}
	})
	return name
}

// objectsTestRows returns the first column of every row as text.
func objectsTestRows(t *testing.T, db Querier, query string, args ...any) []string {
	t.Helper()
	out, err := catalogStrings(context.Background(), db, query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return out
}

func objectsTestExec(t *testing.T, db Querier, stmts ...string) {
	t.Helper()
	for _, st := range stmts {
		if _, err := db.ExecContext(context.Background(), st); err != nil {
			t.Fatalf("%s: %v", st, err)
		}
	}
}
