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

// TestBackfillHonorsReplicaLag: with a real replica as
// throttle-control-replicas (a MariaDB replica; a PostgreSQL hot standby),
// stopping its replay makes the lag grow past max-lag-millis: the backfill
// throttles, with the lag in its status, and changes no row until replay
// runs again; then it finishes, with the rows a single UPDATE makes.
func TestBackfillHonorsReplicaLag(t *testing.T) {
	for _, newEnv := range engines {
		e := newEnv(t)
		t.Run(e.engine, func(t *testing.T) {
			e.t = t
			honorsReplicaLag(t, e)
		})
	}
}

func honorsReplicaLag(t *testing.T, e *env) {
	const rows = 30000
	rep := e.startLagReplica(rows)
	cfg := e.config()
	cfg.ChunkSize = 200
	cfg.Throttle = throttle.NewSettings()
	for name, v := range map[string]string{
		throttle.ThrottleControlReplicas: rep.hostport,
		throttle.MaxLagMillis:            "500",
		throttle.NiceRatio:               "10", // some seconds for the 150 chunks
	} {
		if err := cfg.Throttle.Set(name, v); err != nil {
			t.Fatalf("%s=%s: %v", name, v, err)
		}
	}
	s := start(cfg)
	eventually(t, "the first rows changed", func() bool { return s.b.Status().RowsChanged > 0 })

	rep.stop()
	deadline := time.Now().Add(20 * time.Second)
	for {
		st := s.b.Status()
		if st.Throttled && strings.Contains(st.ThrottleReason, "replica lag") && strings.Contains(st.ThrottleReason, rep.hostport) {
			t.Logf("throttled after %d of %d rows changed: %s (lag %dms)", st.RowsChanged, rows*9/10, st.ThrottleReason, st.ReplicaLagMS)
			break
		}
		select {
		case err := <-s.done:
			t.Fatalf("the backfill ended (%v, %d rows changed) before the replica lag throttled it: make it slower", err, st.RowsChanged)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("not throttled for replica lag 20s after the replay stopped: %+v", st)
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

	rep.start()
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

// lagReplica is a replica of the env's server whose replay a test stops
// (the lag grows) and starts again.
type lagReplica struct {
	hostport    string
	stop, start func()
}

// startLagReplica starts a replica, makes e.people(rows) and waits until the
// replica has them. A replica left stopped by a failing test is started
// again before the cleanup.
func (e *env) startLagReplica(rows int) *lagReplica {
	t := e.t
	host, port, driver, dsn, stop, start := "", 0, "", "", "", ""
	if e.engine == "mysql" {
		// the replica replays the primary's binlog from its start: it gets
		// the test's database, then t, t2 and the heartbeat table
		rep := e.srv.StartReplica(t)
		e.people(rows)
		rep.CatchUp(t)
		host, port, driver, dsn = rep.Host, rep.Port, "mysql", rep.RootDSN("")
		stop, start = "STOP SLAVE SQL_THREAD", "START SLAVE SQL_THREAD"
	} else {
		e.people(rows)
		sb := e.pg.StartStandby(t)
		sb.CatchUp(t)
		host, port, driver, dsn = sb.Host, sb.Port, "pgx", sb.SuperDSN("postgres")
		stop, start = "SELECT pg_wal_replay_pause()", "SELECT pg_wal_replay_resume()"
	}
	root, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	t.Cleanup(func() {
		if stopped {
			_, _ = root.Exec(start)
		}
		root.Close()
	})
	run := func(q string, nowStopped bool) func() {
		return func() {
			t.Helper()
			if _, err := root.Exec(q); err != nil {
				t.Fatalf("replica: %s: %v", q, err)
			}
			stopped = nowStopped
		}
	}
	return &lagReplica{hostport: net.JoinHostPort(host, strconv.Itoa(port)), stop: run(stop, true), start: run(start, false)}
}
