package cutover

import (
	"context"
	"testing"
	"time"

	"github.com/hotswap/hotswap/dialect/postgres"
)

// TestPostgresCutOverOutwaitsAutovacuum: an autovacuum of the table (slowed
// to a crawl) holds a lock the cut-over's conflicts with. PostgreSQL cancels
// it for the cut-over only once the cut-over has waited deadlock_timeout
// (2 s here), so a cut-over with a shorter budget (1 s) outwaits that once,
// and succeeds, instead of giving up first on every attempt.
func TestPostgresCutOverOutwaitsAutovacuum(t *testing.T) {
	ctx := context.Background()
	db, admin := pgCutOverDBAdmin(t, pgCutOverFixture...)
	// deadlock_timeout 2 s and a 1 s budget: the budget is still the shorter, yet
	// leaves the swap's own work room on a machine loaded by the whole suite
	// (300 ms of budget against the default 1 s ran out in CI after the lock)
	pgCutOverExec(t, admin, "ALTER SYSTEM SET autovacuum_naptime = 1", "ALTER SYSTEM SET deadlock_timeout = '2s'", "SELECT pg_reload_conf()")
	t.Cleanup(func() {
		pgCutOverExec(t, admin, "ALTER SYSTEM RESET autovacuum_naptime", "ALTER SYSTEM RESET deadlock_timeout", "SELECT pg_reload_conf()")
	})
	pgCutOverExec(t, db, `ALTER TABLE t SET (autovacuum_vacuum_cost_delay = 100, autovacuum_vacuum_cost_limit = 1,
		autovacuum_vacuum_insert_threshold = 1, autovacuum_vacuum_insert_scale_factor = 0,
		autovacuum_vacuum_threshold = 0, autovacuum_vacuum_scale_factor = 0)`,
		"INSERT INTO t (v) SELECT 'av' || g FROM generate_series(1, 20000) g")
	for deadline := time.Now().Add(90 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		on, err := postgres.VacuumLockHeld(ctx, db, "public", "t")
		if err != nil {
			t.Fatal(err)
		}
		if on {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no autovacuum of t within 90 s")
		}
	}
	cut := pgCutOver(db, pgCopyRest)
	cut.LockTimeout = time.Second
	t0 := time.Now()
	if err := cut.Attempt(ctx); err != nil {
		t.Fatalf("cut-over behind an autovacuum, after %s: %v", time.Since(t0), err)
	}
	t.Logf("the cut-over outwaited the autovacuum in %s", time.Since(t0).Round(time.Millisecond))
	if n := pgCutOverInt(t, db, "SELECT count(*) FROM t"); n != 20105 {
		t.Fatalf("the new table has %d rows", n)
	}
}
