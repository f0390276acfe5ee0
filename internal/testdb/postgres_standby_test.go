package testdb

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestPostgresStandby checks that the standby receives what the primary
// commits, that CatchUp waits for it, and that paused replay holds new
// commits back until resumed, as lag tests need.
func TestPostgresStandby(t *testing.T) {
	p := PostgresServer(t)
	s := p.StartStandby(t)
	if s.Port == p.Port || s.DataDir == p.DataDir {
		t.Fatalf("standby shares port/datadir with primary: %d %s", s.Port, s.DataDir)
	}
	name, _ := p.NewDatabase(t)
	primary := openPostgres(t, p.DSN(name))
	mustExec(t, primary, "CREATE TABLE items (id int PRIMARY KEY, name text)",
		"INSERT INTO items VALUES (1, 'one'), (2, 'two')")
	s.CatchUp(t)

	// Read as the hotswap role, which must have replicated.
	standby := openPostgres(t, s.DSN(name))
	const count = "SELECT count(*) FROM items"
	waitCount(t, standby, count, 2, 0)
	var inRecovery bool
	if err := standby.QueryRow("SELECT pg_is_in_recovery()").Scan(&inRecovery); err != nil || !inRecovery {
		t.Fatalf("pg_is_in_recovery() = %v (err %v), want true", inRecovery, err)
	}

	super := openPostgres(t, s.SuperDSN(name))
	mustExec(t, super, "SELECT pg_wal_replay_pause()")
	mustExec(t, primary, "INSERT INTO items VALUES (3, 'three')")
	waitReplayPaused(t, super)
	time.Sleep(time.Second)
	waitCount(t, standby, count, 2, 0) // not replayed while paused

	mustExec(t, super, "SELECT pg_wal_replay_resume()")
	s.CatchUp(t)
	waitCount(t, standby, count, 3, 0)
}

// waitReplayPaused waits until replay has actually stopped: a pause request
// takes effect at the next WAL record the standby reads.
func waitReplayPaused(t *testing.T, super *sql.DB) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var state string
		err := super.QueryRow("SELECT pg_get_wal_replay_pause_state()").Scan(&state)
		if err == nil && state == "paused" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("replay pause state = %q (err %v), want paused within 30s", state, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// externalRecorder stands in for *testing.T to see whether an external
// server's StartStandby or StartReplica skips or fails.
type externalRecorder struct {
	testing.TB
	failed, skipped bool
	msg             string
}

func (r *externalRecorder) Helper()        {}
func (r *externalRecorder) Fatal(a ...any) { r.failed, r.msg = true, fmt.Sprint(a...) }
func (r *externalRecorder) Skip(a ...any)  { r.skipped, r.msg = true, fmt.Sprint(a...) }

// No server is contacted.
func TestReplicaOfExternalServer(t *testing.T) {
	for _, ci := range []string{"true", ""} {
		t.Setenv("CI", ci)
		r := &externalRecorder{TB: t}
		needsLocal(r, "StartStandby", postgresDSNEnv)
		if r.failed != (ci == "true") || r.skipped == (ci == "true") || !strings.Contains(r.msg, postgresDSNEnv) {
			t.Errorf("CI=%q: failed=%v skipped=%v msg=%q", ci, r.failed, r.skipped, r.msg)
		}
	}
}
