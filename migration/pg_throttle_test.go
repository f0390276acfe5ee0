package migration_test

import (
	"database/sql"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hotswap/hotswap/migration"
)

// TestPostgresStandbyLagAndLoadThrottleTheCopy: a hot standby in
// throttle-control-replicas whose replay is paused makes the lag grow; the
// copy throttles with the reason in the status and goes on once replay
// resumes. Then a max-load on session counts, set from the socket, holds
// it the same way until cleared. The result holds every row.
func TestPostgresStandbyLagAndLoadThrottleTheCopy(t *testing.T) {
	e := newPGEnv(t)
	e.exec("CREATE TABLE t (id int PRIMARY KEY, v int)", "INSERT INTO t SELECT g, g FROM generate_series(1, 100000) g")
	sb := e.srv.StartStandby(t)
	sb.CatchUp(t)
	super, err := sql.Open("pgx", sb.SuperDSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer super.Close()
	onStandby := func(q string) {
		t.Helper()
		if _, err := super.Exec(q); err != nil {
			t.Fatalf("standby: %s: %v", q, err)
		}
	}
	defer super.Exec("SELECT pg_wal_replay_resume()") // a failed test must not leave it paused

	cfg := e.config("t", "ADD COLUMN w int")
	hold := heldByFlagFile(t, &cfg)
	hp := net.JoinHostPort(sb.Host, strconv.Itoa(sb.Port))
	for name, v := range map[string]string{"throttle-control-replicas": hp, "max-lag-millis": "500"} {
		if err := cfg.Throttle.Set(name, v); err != nil {
			t.Fatal(err)
		}
	}
	run := e.start(cfg)
	sock := cfg.ServeSocketFile
	eventually(t, time.Minute, "the copy to start", func() bool { return run.m.State() == migration.StateCopying })

	onStandby("SELECT pg_wal_replay_pause()")
	os.Remove(hold)
	requireHeld(t, sock, "replica lag", hp)
	if st := statusOf(t, sock); st.ReplicaLagMS < 500 {
		t.Fatalf("throttled for lag, but the status shows %dms", st.ReplicaLagMS)
	}
	onStandby("SELECT pg_wal_replay_resume()")
	eventually(t, 20*time.Second, "the lag throttle to lift", func() bool { return !statusOf(t, sock).Throttled })

	send(t, sock, "max-load=sessions=1") // this run alone has more
	requireHeld(t, sock, "sessions")
	send(t, sock, "max-load=")
	eventually(t, time.Minute, "the postponed cut-over", func() bool { return statusOf(t, sock).State == "postponed" })
	send(t, sock, "unpostpone")
	run.wait(t)
	e.compare("_t_old", "t", []string{"id"}, nil)
}

// requireHeld waits until the status says the run is throttled for a
// reason that names each of words, then requires that no row is copied for
// a second.
func requireHeld(t *testing.T, sock string, words ...string) {
	t.Helper()
	reason := strings.Join(words, " ... ")
	eventually(t, 20*time.Second, "a throttle for "+reason, func() bool {
		st := statusOf(t, sock)
		for _, w := range words {
			if !strings.Contains(st.ThrottleReason, w) {
				return false
			}
		}
		return st.Throttled
	})
	before := settledCopy(t, sock)
	time.Sleep(time.Second)
	if st := statusOf(t, sock); st.RowsCopied != before || !st.Throttled {
		t.Fatalf("the copy went on while throttled for %s: %d -> %d rows (%s)", reason, before, st.RowsCopied, st.ThrottleReason)
	}
}

// settledCopy waits until rows copied stop moving (chunks that passed the
// throttle just before it closed have ended) and returns the count.
func settledCopy(t *testing.T, sock string) int64 {
	t.Helper()
	last := statusOf(t, sock).RowsCopied
	for deadline := time.Now().Add(30 * time.Second); ; {
		time.Sleep(300 * time.Millisecond)
		n := statusOf(t, sock).RowsCopied
		if n == last {
			return n
		}
		if time.Now().After(deadline) {
			t.Fatal("rows still being copied 30s into a throttle")
		}
		last = n
	}
}
