package migration_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hotswap/hotswap/migration"
)

// TestPostgresSocketSession drives a PostgreSQL run from the control socket:
// held by a flag file, paused, resized, postponed and released.
func TestPostgresSocketSession(t *testing.T) {
	e := newPGEnv(t)
	e.exec("CREATE TABLE t (id int PRIMARY KEY, v int)", "INSERT INTO t SELECT g, g FROM generate_series(1, 50000) g")
	cfg := e.config("t", "ADD COLUMN w int")
	hold := heldByFlagFile(t, &cfg)
	run := e.start(cfg)
	eventually(t, time.Minute, "the copy to start", func() bool { return run.m.State() == migration.StateCopying })
	sock := cfg.ServeSocketFile
	st := statusOf(t, sock)
	if !st.Throttled || !strings.Contains(st.ThrottleReason, "throttle.flag") || st.RowsCopied != 0 {
		t.Fatalf("want a copy held by the flag file: %+v", st)
	}
	if got := send(t, sock, "chunk-size=700"); !strings.HasPrefix(got, "OK") {
		t.Fatalf("chunk-size=700: %s", got)
	}
	os.Remove(hold)
	send(t, sock, "throttle-query=SELECT 1")
	eventually(t, 5*time.Second, "the throttle query", func() bool {
		return strings.Contains(statusOf(t, sock).ThrottleReason, "throttle-query returned 1")
	})
	send(t, sock, "throttle-query=")
	send(t, sock, "pause")
	time.Sleep(300 * time.Millisecond)
	if st := statusOf(t, sock); !strings.Contains(st.ThrottleReason, "manual") {
		t.Fatalf("want the manual throttle: %+v", st)
	}
	send(t, sock, "resume")
	eventually(t, time.Minute, "the postponed cut-over", func() bool { return statusOf(t, sock).State == "postponed" })
	if st := statusOf(t, sock); st.RowsCopied != 50000 || st.ChunkSize != 700 {
		t.Fatalf("after the copy: %+v", st)
	}
	send(t, sock, "unpostpone")
	run.wait(t)
	e.compare("_t_old", "t", []string{"id"}, nil)
	e.requireNoSlotsOrPublications()
}
