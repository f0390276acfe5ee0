package postgres

import (
	"context"
	"testing"
)

// TestCommitCutOver: a COMMIT that the server turns into ROLLBACK (a
// statement had failed) is an error, reported as rolled back; a clean one
// commits.
func TestCommitCutOver(t *testing.T) {
	_, app, _ := appDB(t, "CREATE TABLE t (id int PRIMARY KEY)")
	ctx := context.Background()
	conn, err := app.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := BeginCutOver(ctx, conn); err != nil {
		t.Fatal(err)
	}
	objectsTestExec(t, conn, "INSERT INTO t VALUES (1)")
	if _, err := conn.ExecContext(ctx, "INSERT INTO t VALUES (1)"); err == nil {
		t.Fatal("duplicate key accepted")
	}
	err = CommitCutOver(ctx, conn)
	if err == nil || !CommitRolledBack(err) {
		t.Fatalf("CommitCutOver after a failed statement: %v", err)
	}
	if err := BeginCutOver(ctx, conn); err != nil {
		t.Fatal(err)
	}
	objectsTestExec(t, conn, "INSERT INTO t VALUES (2)")
	if err := CommitCutOver(ctx, conn); err != nil {
		t.Fatal(err)
	}
	if got := objectsTestRows(t, app, "SELECT id::text FROM t"); len(got) != 1 || got[0] != "2" {
		t.Fatalf("rows %q, want only the committed one", got)
	}
}
