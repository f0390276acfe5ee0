package postgres

import (
	"context"
	"database/sql"
	"testing"
)

func TestTableRunLock(t *testing.T) {
	ctx := context.Background()
	_, app, _ := appDB(t)
	conn := func() *sql.Conn {
		c, err := app.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		return c
	}
	a, b := conn(), conn()
	try := func(c *sql.Conn, schema, table string, want bool) {
		t.Helper()
		if got, err := TryRunLock(ctx, c, schema, table); err != nil || got != want {
			t.Fatalf("TryRunLock(%s.%s) = %v, %v; want %v", schema, table, got, err, want)
		}
	}
	try(a, "public", "t", true)
	try(b, "public", "t", false) // another session holds it
	try(b, "public", "t2", true) // another table is another lock
	try(b, "public.t", "", true) // "public.t"."" is not "public"."t"
	if err := ReleaseRunLock(ctx, b, "public", "t"); err == nil {
		t.Fatal("ReleaseRunLock of a lock the session does not hold: no error")
	}
	if err := ReleaseRunLock(ctx, a, "public", "t"); err != nil {
		t.Fatal(err)
	}
	try(b, "public", "t", true)

	// CloseLockConn frees the lock for the next run at once, though the
	// pool that served the session is still open.
	c := conn()
	try(c, "public", "u", true)
	CloseLockConn(c, "public", "u")
	try(b, "public", "u", true)
}
