package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hotswap/hotswap/control"
	"github.com/hotswap/hotswap/internal/workload"
)

// TestKillNineInRevertWindowThenResume kills the hotswap process with
// SIGKILL in its revert window, under a write load that never stops, then
// runs the same command with --resume: the window goes on from its
// checkpoint, and a revert then swaps the old table back with every
// acknowledged write in it, leaving only the new table as _t_rev (no slot,
// no checkpoint).
func TestKillNineInRevertWindowThenResume(t *testing.T) {
	for _, newTarget := range []func(*testing.T) *target{mysqlTarget, postgresTarget} {
		tg := newTarget(t)
		t.Run(tg.engine, func(t *testing.T) { killInWindow(t, tg) })
	}
}

func killInWindow(t *testing.T, tg *target) {
	if _, err := tg.db.Exec(tg.create); err != nil {
		t.Fatal(err)
	}
	w, err := workload.New(tg.db, workload.Options{Table: "t", Workers: 2, Rate: 200, BigValueRatio: -1, Seed: time.Now().UnixNano()})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Load(context.Background(), 5000); err != nil {
		t.Fatal(err)
	}
	w.Start(context.Background())
	sock := filepath.Join(t.TempDir(), "hs.sock")
	args := append([]string{"alter", "--table", "t", "--alter", tg.alter, "--execute", "--revert-window", "10m",
		"--checkpoint-interval", "200ms", "--serve-socket-file", sock}, tg.args...)
	first := startChild(t, tg.env, args...)
	revertible := func(st childStatus) bool { return st.State == "revertible" }
	if !first.waitFor(t, sock, "its revert window", revertible) {
		t.Fatalf("the run ended before its window:\n%s", first.out.String())
	}
	time.Sleep(time.Second) // writes into the new table, streamed back and checkpointed
	first.kill()
	time.Sleep(500 * time.Millisecond) // writes while no run keeps the old table current
	resumed := startChild(t, tg.env, append(args, "--resume")...)
	if !resumed.waitFor(t, sock, "its resumed revert window", revertible) {
		t.Fatalf("the resume did not reopen the window:\n%s", resumed.out.String())
	}
	time.Sleep(500 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if reply, err := control.SendWait(ctx, sock, "revert"); err != nil {
		t.Fatalf("revert after the resume: %v %s\n%s", err, reply, resumed.out.String())
	}
	if code := resumed.wait(t, 3*time.Minute); code != 0 {
		t.Fatalf("the resume exited %d:\n%s", code, resumed.out.String())
	}
	t.Logf("resume output:\n%s", resumed.out.String())
	time.Sleep(300 * time.Millisecond) // writes after the last swap
	st := w.Stop()
	if len(st.Errors) > 0 {
		t.Fatalf("the write load saw %d errors (first: %v)", len(st.Errors), st.Errors[0])
	}
	if err := w.Check(context.Background(), tg.db, "t"); err != nil {
		t.Fatalf("acknowledged writes missing from the table: %v", err)
	}
	if _, err = tg.db.Exec("SELECT extra FROM t"); err == nil {
		t.Fatal("after the revert t still has the column the ALTER added")
	}
	if !strings.Contains(resumed.out.String(), "Resuming the revert window") {
		t.Errorf("the resume does not say it continues the window:\n%s", resumed.out.String())
	}
	if got := tg.leftovers(t); got != "_t_rev" {
		t.Errorf("left behind: %s (want only _t_rev)", got)
	}
}
