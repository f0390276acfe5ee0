package cutover

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/hotswap/hotswap/dialect/postgres"
)

// pgBlocker opens a transaction on its own connection that holds a lock on
// t, then sits idle in it.
func pgBlocker(t *testing.T, db *sql.DB, stmt string) *sql.Conn {
	t.Helper()
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { discardPGConn(conn) })
	pgCutOverExec(t, conn, "BEGIN", stmt)
	return conn
}

// TestPostgresAttemptLockTimeout: behind a session holding ACCESS SHARE the
// attempt gives up after LockTimeout, changing nothing; a reader that queued
// behind its request waits no longer than that; once the blocker commits,
// the next attempt succeeds.
func TestPostgresAttemptLockTimeout(t *testing.T) {
	db := pgCutOverDB(t, pgCutOverFixture...)
	before := pgCutOverSnapshot(t, db)
	blocker := pgBlocker(t, db, "LOCK TABLE t IN ACCESS SHARE MODE")
	p := pgCutOver(db, pgCopyRest)
	p.LockTimeout = 300 * time.Millisecond

	readerWait := make(chan time.Duration, 1)
	go func() {
		time.Sleep(100 * time.Millisecond) // queue behind the cut-over's request
		start := time.Now()
		var n int
		_ = db.QueryRow("SELECT count(*) FROM t").Scan(&n)
		readerWait <- time.Since(start)
	}()
	start := time.Now()
	err := p.Attempt(context.Background())
	elapsed := time.Since(start)
	if !postgres.IsLockTimeout(err) || elapsed > time.Second {
		t.Fatalf("Attempt after %s: %v, want a lock timeout within 1s", elapsed, err)
	}
	t.Logf("failed attempt after %s: %v", elapsed.Round(time.Millisecond), err)
	wait := <-readerWait
	t.Logf("a reader queued behind the request waited %s", wait.Round(time.Millisecond))
	if wait > p.LockTimeout+300*time.Millisecond {
		t.Fatalf("a reader waited %s behind a cut-over with a lock timeout of %s", wait, p.LockTimeout)
	}
	pgCutOverUnchanged(t, db, before)

	pgCutOverExec(t, blocker, "COMMIT")
	if err := p.Attempt(context.Background()); err != nil {
		t.Fatalf("Attempt once the blocker committed: %v", err)
	}
	if n := pgCutOverInt(t, db, "SELECT count(*) FROM t"); n != 105 {
		t.Fatalf("%d rows after the swap, want 105", n)
	}
}

// TestPostgresAttemptTerminatesIdleBlocker: a session idle in a transaction
// that read t ignores the cancel; it is terminated and the attempt succeeds
// well within its lock timeout.
func TestPostgresAttemptTerminatesIdleBlocker(t *testing.T) {
	db := pgCutOverDB(t, pgCutOverFixture...)
	blocker := pgBlocker(t, db, "SELECT count(*) FROM t")
	p := pgCutOver(db, pgCopyRest)
	p.LockTimeout, p.KillBlockersAfter = 3*time.Second, 200*time.Millisecond
	start := time.Now()
	if err := p.Attempt(context.Background()); err != nil {
		t.Fatal(err)
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Fatalf("Attempt took %s", elapsed)
	}
	if _, err := blocker.ExecContext(context.Background(), "SELECT 1"); err == nil {
		t.Fatal("the blocking session is still alive")
	}
}

// TestPostgresAttemptCancelsRunningBlocker: a blocker running a statement is
// cancelled, not terminated: its session lives on.
func TestPostgresAttemptCancelsRunningBlocker(t *testing.T) {
	db := pgCutOverDB(t, pgCutOverFixture...)
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	blocked := make(chan error, 1)
	go func() {
		_, err := conn.ExecContext(context.Background(), "SELECT pg_sleep(30) FROM t LIMIT 1")
		blocked <- err
	}()
	pgCutOverWaitActive(t, db, "pg_sleep")
	p := pgCutOver(db, pgCopyRest)
	p.LockTimeout, p.KillBlockersAfter = 3*time.Second, 300*time.Millisecond
	if err := p.Attempt(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := <-blocked; err == nil {
		t.Fatal("the blocking statement was not cancelled")
	}
	if _, err := conn.ExecContext(context.Background(), "SELECT 1"); err != nil {
		t.Fatalf("the cancelled session is gone: %v", err)
	}
}

// TestPostgresAttemptKillCountsEarlierWaits: KillBlockersAfter adds up the
// waits of all attempts, so it acts even when longer than LockTimeout.
func TestPostgresAttemptKillCountsEarlierWaits(t *testing.T) {
	db := pgCutOverDB(t, pgCutOverFixture...)
	pgBlocker(t, db, "SELECT count(*) FROM t")
	p := pgCutOver(db, pgCopyRest)
	p.LockTimeout, p.KillBlockersAfter = 300*time.Millisecond, 250*time.Millisecond
	if err := p.Attempt(context.Background()); !postgres.IsLockTimeout(err) {
		t.Fatalf("first attempt (cancel only, which an idle session ignores): %v", err)
	}
	if err := p.Attempt(context.Background()); err != nil {
		t.Fatalf("second attempt (the blocker terminated): %v", err)
	}
}

// pgCutOverWaitActive waits until a session runs a query containing text.
func pgCutOverWaitActive(t *testing.T, db *sql.DB, text string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for pgCutOverInt(t, db, `SELECT count(*) FROM pg_stat_activity
		WHERE state = 'active' AND pid <> pg_backend_pid() AND strpos(query, $1) > 0`, text) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no session runs %q", text)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestPostgresAttemptBlockerNotSignallable: a superuser's session cannot be
// signalled by the hotswap role; the attempt times out and says why.
func TestPostgresAttemptBlockerNotSignallable(t *testing.T) {
	db, admin := pgCutOverDBAdmin(t, pgCutOverFixture...)
	before := pgCutOverSnapshot(t, db)
	pgBlocker(t, admin, "SELECT count(*) FROM t")
	p := pgCutOver(db, pgCopyRest)
	p.LockTimeout, p.KillBlockersAfter = 500*time.Millisecond, 100*time.Millisecond
	err := p.Attempt(context.Background())
	if !postgres.IsLockTimeout(err) || !strings.Contains(err.Error(), "pg_terminate_backend(") {
		t.Fatalf("Attempt: %v, want a lock timeout naming the failed pg_terminate_backend", err)
	}
	t.Log(err)
	pgCutOverUnchanged(t, db, before)
}
