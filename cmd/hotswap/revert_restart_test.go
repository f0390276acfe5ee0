package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/hotswap/hotswap/control"
)

// TestServerRestartInRevertWindow restarts the server while a run is in its
// revert window, with writes before and after the restart: the run outlasts
// it (its window goes on, resumed from its checkpoint if the restart failed
// it), and a revert then brings both writes back into the old table.
func TestServerRestartInRevertWindow(t *testing.T) {
	for _, newTarget := range []func(*testing.T) *target{mysqlTarget, postgresTarget} {
		tg := newTarget(t)
		t.Run(tg.engine, func(t *testing.T) {
			if _, err := tg.db.Exec(tg.create); err != nil {
				t.Fatal(err)
			}
			gen := map[string]string{"mysql": "SELECT seq, seq, 'x', 0 FROM seq_1_to_3000", "postgres": "SELECT g, g, 'x', 0 FROM generate_series(1, 3000) g"}[tg.engine]
			if _, err := tg.db.Exec("INSERT INTO t (id, a, s, wl_ver) " + gen); err != nil {
				t.Fatal(err)
			}
			sock := filepath.Join(t.TempDir(), "hs.sock")
			ch := startChild(t, tg.env, append([]string{"alter", "--table", "t", "--alter", tg.alter, "--execute", "--revert-window", "10m",
				"--checkpoint-interval", "200ms", "--reconnect-timeout", "90s", "--serve-socket-file", sock}, tg.args...)...)
			revertible := func(st childStatus) bool { return st.State == "revertible" }
			if !ch.waitFor(t, sock, "its revert window", revertible) {
				t.Fatalf("the run ended before its window:\n%s", ch.out.String())
			}
			if _, err := tg.db.Exec("UPDATE t SET a = -5 WHERE id = 5"); err != nil {
				t.Fatal(err)
			}
			time.Sleep(500 * time.Millisecond)
			tg.restart()
			deadline := time.Now().Add(time.Minute)
			for _, err := tg.db.Exec("UPDATE t SET a = -6 WHERE id = 6"); err != nil; _, err = tg.db.Exec("UPDATE t SET a = -6 WHERE id = 6") {
				if time.Now().After(deadline) {
					t.Fatalf("the server does not answer after its restart: %v", err)
				}
				time.Sleep(200 * time.Millisecond)
			}
			time.Sleep(time.Second) // the run notices, or not, and goes on
			if !ch.waitFor(t, sock, "its revert window after the restart", revertible) {
				t.Fatalf("the run ended after the restart:\n%s", ch.out.String())
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			if reply, err := control.SendWait(ctx, sock, "revert"); err != nil {
				t.Fatalf("revert after the restart: %v %s\n%s", err, reply, ch.out.String())
			}
			if code := ch.wait(t, 2*time.Minute); code != 0 {
				t.Fatalf("hotswap exited %d:\n%s", code, ch.out.String())
			}
			var a5, a6 int
			if err := tg.db.QueryRow("SELECT (SELECT a FROM t WHERE id = 5), (SELECT a FROM t WHERE id = 6)").Scan(&a5, &a6); err != nil || a5 != -5 || a6 != -6 {
				t.Fatalf("writes made in the window before and after the restart: a=%d, %d (%v), want -5, -6\n%s", a5, a6, err, ch.out.String())
			}
			if got := tg.leftovers(t); got != "_t_rev" {
				t.Errorf("left behind: %s (want only _t_rev)", got)
			}
		})
	}
}
