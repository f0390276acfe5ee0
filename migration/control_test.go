package migration_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hotswap/hotswap/control"
	"github.com/hotswap/hotswap/migration"
	"github.com/hotswap/hotswap/throttle"
)

// shortDir is a temp dir with a path short enough for a unix socket.
func shortDir(t *testing.T) string {
	d, err := os.MkdirTemp("/tmp", "hs")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

func send(t *testing.T, sock, line string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	reply, err := control.Send(ctx, sock, line)
	var refused *control.CommandError
	if err != nil && !errors.As(err, &refused) { // an ERROR: reply is returned for the test to check
		t.Fatalf("%s: %v (%s)", line, err, reply)
	}
	return strings.TrimSpace(reply)
}

func statusOf(t *testing.T, sock string) control.Status {
	t.Helper()
	var st control.Status
	if err := json.Unmarshal([]byte(send(t, sock, "status-json")), &st); err != nil {
		t.Fatal(err)
	}
	return st
}

// eventually polls cond for up to d.
func eventually(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(d); !cond(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// controlledRows is the size of controlled's table.
const controlledRows = 100000

// controlled starts a run on a 100k-row table that begins throttled by a
// flag file, serving the control socket.
func controlled(t *testing.T, e engineEnv, mutate func(*migration.Config)) (*started, string, string) {
	e.exec("CREATE TABLE t (id INT PRIMARY KEY, v INT)", "INSERT INTO t SELECT seq, seq FROM "+e.seq(controlledRows))
	cfg := e.config("t", "ADD COLUMN w INT")
	hold := heldByFlagFile(t, &cfg)
	if mutate != nil {
		mutate(&cfg)
	}
	run := e.start(cfg)
	eventually(t, time.Minute, "the copy to start", func() bool { return run.m.State() == migration.StateCopying })
	return run, cfg.ServeSocketFile, hold
}

// heldByFlagFile makes cfg serve a control socket (in a temp dir with a
// path short enough for one), postpone its cut-over (the run creates the
// flag file) and start throttled by a flag file, whose path it returns:
// removing it lets the copy go.
func heldByFlagFile(t *testing.T, cfg *migration.Config) string {
	t.Helper()
	dir := shortDir(t)
	hold := filepath.Join(dir, "throttle.flag")
	if err := os.WriteFile(hold, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.ServeSocketFile = filepath.Join(dir, "h.sock")
	cfg.PostponeFlagFile = filepath.Join(dir, "postpone.flag")
	if cfg.Throttle == nil {
		cfg.Throttle = throttle.NewSettings()
	}
	if err := cfg.Throttle.Set("throttle-flag-file", hold); err != nil {
		t.Fatal(err)
	}
	return hold
}

// TestSocketSessionPausesResizesPostponesAndReleases is a DBA's session on
// the control socket against a real run: the copy starts held by the flag
// file (nothing copied); the chunk size is changed (a bad one refused); each
// throttle knob is set, read back and acts on the live throttler; help and
// status answer; pause holds the copy by the manual throttle, resume lets it
// finish into the postponed cut-over with every row copied at the new chunk
// size; unpostpone cuts over. The new table holds every row, the socket
// file is gone, and nothing of the change stream is left on the server.
func TestSocketSessionPausesResizesPostponesAndReleases(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engineEnv) {
		run, sock, hold := controlled(t, e, nil)
		var st control.Status
		eventually(t, 10*time.Second, "the throttle's first check", func() bool { // held from the start, then for the flag
			st = statusOf(t, sock)
			return st.ThrottleReason != "throttle checks have not run yet"
		})
		if !st.Throttled || !strings.Contains(st.ThrottleReason, "throttle.flag") || st.State != "copying" || st.RowsCopied != 0 {
			t.Fatalf("want a copy throttled by the flag file: %+v", st)
		}
		time.Sleep(time.Second)
		if n := statusOf(t, sock).RowsCopied; n != 0 {
			t.Fatalf("%d rows copied while throttled", n)
		}
		if got := send(t, sock, "chunk-size=500"); !strings.HasPrefix(got, "OK") {
			t.Fatalf("chunk-size=500: %s", got)
		}
		if got := send(t, sock, "chunk-size=?"); got != "500" {
			t.Fatalf("chunk-size=?: %s", got)
		}
		if got := send(t, sock, "chunk-size=abc"); !strings.HasPrefix(got, "ERROR") || send(t, sock, "chunk-size=?") != "500" {
			t.Fatalf("a bad chunk size was not refused: %s", got)
		}
		// every knob over the socket, against the live throttler
		for _, c := range []struct{ set, reason string }{
			{"max-load=Threads_connected=1", "max-load Threads_connected"},
			{"throttle-query=SELECT 1", "throttle-query returned 1"},
		} {
			os.Remove(hold)
			send(t, sock, c.set)
			eventually(t, 5*time.Second, c.reason, func() bool { return strings.Contains(statusOf(t, sock).ThrottleReason, c.reason) })
			name := strings.SplitN(c.set, "=", 2)[0]
			send(t, sock, name+"=")
			os.WriteFile(hold, nil, 0o600)
		}
		for _, c := range [][2]string{{"nice-ratio=0.5", "0.5"}, {"max-lag-millis=900", "900"}, {"critical-load=Threads_running=100000", "Threads_running=100000"}} {
			send(t, sock, c[0])
			name := strings.SplitN(c[0], "=", 2)[0]
			if got := send(t, sock, name+"=?"); got != c[1] {
				t.Errorf("%s=? gave %q after %s", name, got, c[0])
			}
		}
		send(t, sock, "nice-ratio=0")
		if !strings.Contains(send(t, sock, "help"), "chunk-size") || !strings.Contains(send(t, sock, "status"), "throttle") {
			t.Error("help or status is missing its content")
		}
		send(t, sock, "pause")
		os.Remove(hold)
		time.Sleep(500 * time.Millisecond)
		if st := statusOf(t, sock); !st.Throttled || !strings.Contains(st.ThrottleReason, "manual") || st.RowsCopied != 0 {
			t.Fatalf("want the copy held by the manual throttle: %+v", st)
		}
		send(t, sock, "resume")
		eventually(t, time.Minute, "the postponed cut-over", func() bool { return statusOf(t, sock).State == "postponed" })
		if st := statusOf(t, sock); st.RowsCopied != controlledRows || !st.Postponed || st.ChunkSize != 500 {
			t.Fatalf("after the copy: %+v", st)
		}
		if !strings.Contains(send(t, sock, "sup"), "postponed") {
			t.Fatal("sup does not say postponed")
		}
		send(t, sock, "unpostpone")
		run.wait(t)
		e.compareRows("_t_old", "t", []string{"id"}, nil)
		if _, err := os.Stat(sock); !os.IsNotExist(err) {
			t.Fatalf("socket file left after the run: %v", err)
		}
		e.requireNoStreamLeftovers()
	})
}

// TestPanicCommandStopsTheRun: the panic command on the socket, during the
// copy or while the cut-over is postponed, stops the run with ErrPanic; the
// original keeps its definition and every row and the output says so; only
// the shadow (and on MariaDB the checkpoint table) is left, and nothing of
// the change stream (PostgreSQL: no slot or publication).
func TestPanicCommandStopsTheRun(t *testing.T) {
	moments := []string{migration.StateCopying, migration.StatePostponed}
	cases := map[string][]string{"mysql": moments, "postgres": moments}
	left := map[string]string{"mysql": "_t_chk,_t_new,t", "postgres": "_t_new,t"}
	forEachEngineCase(t, cases, func(s string) string { return s }, func(t *testing.T, e engineEnv, state string) {
		run, sock, hold := controlled(t, e, nil)
		before := e.definition("t")
		if state == migration.StatePostponed {
			os.Remove(hold)
		}
		run.waitState(t, state)
		send(t, sock, "panic")
		if err := <-run.done; !errors.Is(err, migration.ErrPanic) {
			t.Fatalf("want a panic, got %v", err)
		}
		if e.tables() != left[e.engine()] || !strings.Contains(run.out.String(), "is in place and unchanged") {
			t.Fatalf("tables %s\n%s", e.tables(), run.out.String())
		}
		if n := e.scalar("SELECT COUNT(*) FROM t"); n != controlledRows || e.definition("t") != before {
			t.Errorf("original has %d rows, definition\n%s", n, e.definition("t"))
		}
		e.requireNoStreamLeftovers()
	})
}

func TestPanicFlagFileStopsTheRun(t *testing.T) {
	e := newEnv(t)
	panicFile := filepath.Join(shortDir(t), "panic")
	run, _, _ := controlled(t, e, func(c *migration.Config) { c.PanicFlagFile = panicFile })
	os.WriteFile(panicFile, nil, 0o600)
	if err := <-run.done; !errors.Is(err, migration.ErrPanic) || !strings.Contains(err.Error(), panicFile) {
		t.Fatalf("want a panic naming the flag file, got %v", err)
	}
}

// TestReplicaLagThrottlesTheCopy: a real replica whose SQL thread stops
// makes the lag grow; the copy throttles with the reason in the status, and
// finishes once replication resumes.
func TestReplicaLagThrottlesTheCopy(t *testing.T) {
	e := newEnv(t)
	rep := e.srv.StartReplica(t)
	root := func(q string) {
		db, err := sqlOpen(rep.RootDSN(""))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	run, sock, hold := controlled(t, e, func(c *migration.Config) {
		c.Throttle.Set("throttle-control-replicas", rep.Host+":"+itoa(rep.Port))
		c.Throttle.Set("max-lag-millis", "500")
	})
	root("STOP SLAVE SQL_THREAD")
	os.Remove(hold)
	eventually(t, 20*time.Second, "replica lag to throttle", func() bool {
		st := statusOf(t, sock)
		return st.Throttled && strings.Contains(st.ThrottleReason, "replica lag")
	})
	before := settledCopy(t, sock)
	time.Sleep(time.Second)
	st := statusOf(t, sock)
	if st.RowsCopied != before || st.ReplicaLagMS < 500 {
		t.Fatalf("copy went on while the replica lagged: %d -> %d rows, lag %dms", before, st.RowsCopied, st.ReplicaLagMS)
	}
	root("START SLAVE SQL_THREAD")
	eventually(t, time.Minute, "the postponed cut-over", func() bool { return statusOf(t, sock).State == "postponed" })
	send(t, sock, "unpostpone")
	run.wait(t)
	e.compare("_t_old", "t", []string{"id"}, [][2]string{{"v", "v"}})
}

func TestCriticalLoadFromTheSocketAbortsTheRun(t *testing.T) {
	e := newEnv(t)
	run, sock, _ := controlled(t, e, nil)
	send(t, sock, "critical-load=Threads_connected=1")
	err := <-run.done
	var crit *throttle.CriticalLoadError
	if !errors.As(err, &crit) || !strings.Contains(run.out.String(), "is in place and unchanged") {
		t.Fatalf("want a critical-load abort, got %v\n%s", err, run.out.String())
	}
}

func TestForceNamedCutOver(t *testing.T) {
	e := newEnv(t)
	run, sock, hold := controlled(t, e, func(c *migration.Config) { c.ForceNamedCutOver, c.ForceNamedPanic = true, true })
	os.Remove(hold)
	eventually(t, time.Minute, "the postponed cut-over", func() bool { return statusOf(t, sock).State == "postponed" })
	for _, bare := range []string{"cut-over", "unpostpone", "panic", "cut-over=other"} {
		if got := send(t, sock, bare); !strings.HasPrefix(got, "ERROR") {
			t.Fatalf("%s accepted without the table's name: %s", bare, got)
		}
	}
	if st := statusOf(t, sock); st.State != "postponed" {
		t.Fatalf("a refused command changed the run: %+v", st)
	}
	send(t, sock, "cut-over=t")
	run.wait(t)
}
