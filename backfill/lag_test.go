package backfill_test

import (
	"database/sql"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hotswap/hotswap/throttle"
)

// TestBackfillHonorsReplicaLag: with a real MariaDB replica as
// throttle-control-replicas, stopping the replica's SQL thread makes the lag
// grow past max-lag-millis: the backfill throttles, with the lag in its
// status, and changes no row until replication runs again; then it
// finishes, with the rows a single UPDATE makes.
func TestBackfillHonorsReplicaLag(t *testing.T) {
	const rows = 30000
	e := mysqlEnv(t)
	// the replica replays the primary's binlog from its start: it gets the
	// test's database, then t, t2 and the heartbeat table as they are made
	rep := e.srv.StartReplica(t)
	e.people(rows)
	rep.CatchUp(t)
	repRoot, err := sql.Open("mysql", rep.RootDSN(""))
	if err != nil {
		t.Fatal(err)
	}
	defer repRoot.Close()
	onReplica := func(q string) {
		t.Helper()
		if _, err := repRoot.Exec(q); err != nil {
			t.Fatalf("replica: %s: %v", q, err)
		}
	}
	sqlThreadStopped := false
	defer func() {
		if sqlThreadStopped { // a failed test must not leave the replica stopped for the cleanup
			_, _ = repRoot.Exec("START SLAVE SQL_THREAD")
		}
	}()

	hp := net.JoinHostPort(rep.Host, strconv.Itoa(rep.Port))
	cfg := e.config()
	cfg.ChunkSize = 200
	cfg.Throttle = throttle.NewSettings()
	for name, v := range map[string]string{
		throttle.ThrottleControlReplicas: hp,
		throttle.MaxLagMillis:            "500",
		throttle.NiceRatio:               "10", // some seconds for the 150 chunks
	} {
		if err := cfg.Throttle.Set(name, v); err != nil {
			t.Fatalf("%s=%s: %v", name, v, err)
		}
	}
	s := start(cfg)
	eventually(t, "the first rows changed", func() bool { return s.b.Status().RowsChanged > 0 })

	onReplica("STOP SLAVE SQL_THREAD")
	sqlThreadStopped = true
	deadline := time.Now().Add(20 * time.Second)
	for {
		st := s.b.Status()
		if st.Throttled && strings.Contains(st.ThrottleReason, "replica lag") && strings.Contains(st.ThrottleReason, hp) {
			t.Logf("throttled after %d of %d rows changed: %s (lag %dms)", st.RowsChanged, rows*9/10, st.ThrottleReason, st.ReplicaLagMS)
			break
		}
		select {
		case err := <-s.done:
			t.Fatalf("the backfill ended (%v, %d rows changed) before the replica lag throttled it: make it slower", err, st.RowsChanged)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("not throttled for replica lag 20s after STOP SLAVE SQL_THREAD: %+v", st)
		}
		time.Sleep(20 * time.Millisecond)
	}
	settle(t, "throttled", func() int64 { return s.b.Status().RowsChanged }) // a chunk that passed the throttle just before commits
	before := s.b.Status()
	time.Sleep(time.Second)
	after := s.b.Status()
	if after.RowsChanged != before.RowsChanged || after.RowsCopied != before.RowsCopied {
		t.Fatalf("chunks ran while the replica lagged: %d -> %d rows changed (%d -> %d covered)",
			before.RowsChanged, after.RowsChanged, before.RowsCopied, after.RowsCopied)
	}
	if !after.Throttled || after.ReplicaLagMS <= 500 || after.State != "running" {
		t.Fatalf("status while the replica lags: %+v", after)
	}
	if after.RowsChanged >= rows*9/10 {
		t.Fatalf("all %d rows changed before the throttle: the test proves nothing", after.RowsChanged)
	}

	onReplica("START SLAVE SQL_THREAD")
	sqlThreadStopped = false
	if err := s.wait(t); err != nil {
		t.Fatal(err)
	}
	if st := s.b.Status(); st.State != "done" || st.RowsChanged != rows*9/10 {
		t.Fatalf("status after the run: %+v, want done with %d rows changed", st, rows*9/10)
	}
	e.sameAsSingleUpdate(rows)
	if got := strings.Join(e.tables(), ","); got != "t,t2" && got != "t2,t" {
		t.Fatalf("tables after the run: %s, want the checkpoint and heartbeat tables gone", got)
	}
}
