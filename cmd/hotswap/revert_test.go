package main

import (
	"strings"
	"testing"
	"time"
)

// TestRevertCommand runs `hotswap alter --revert-window` as a process and
// reverts it with `hotswap revert` from the same connection flags only (the
// run's socket is found from them): the dry run shows the reverse column map,
// --execute swaps back, the run then ends with exit 0, and the table has its
// old columns again with the new one kept as _t_rev. With no live run,
// `hotswap revert` is refused (exit 2) saying so.
func TestRevertCommand(t *testing.T) {
	for _, open := range []func(*testing.T) *target{mysqlTarget, postgresTarget} {
		tg := open(t)
		t.Run(tg.engine, func(t *testing.T) {
			if _, err := tg.db.Exec(tg.create); err != nil {
				t.Fatal(err)
			}
			if _, err := tg.db.Exec("INSERT INTO t (id, a) VALUES (1, 1), (2, 2), (3, 3)"); err != nil {
				t.Fatal(err)
			}
			revert := append([]string{"revert", "--table", "t"}, tg.args...)
			code, _, stderr := runCaptured(revert...)
			if code != exitRefused || !strings.Contains(stderr, "no live run") {
				t.Fatalf("revert without a run: exit %d, %s", code, stderr)
			}
			alter := append([]string{"alter", "--table", "t", "--alter", tg.alter, "--revert-window", "5m", "--execute"}, tg.args...)
			c := startChild(t, tg.env, alter...)
			var plan string
			deadline := time.Now().Add(2 * time.Minute)
			for {
				if code, plan, _ = runCaptured(revert...); code == exitOK || time.Now().After(deadline) || c.done() {
					break
				}
				time.Sleep(200 * time.Millisecond)
			}
			if code != exitOK || !strings.Contains(plan, "(left out) extra") {
				t.Fatalf("revert dry run: exit %d, %s\n%s", code, plan, c.out.String())
			}
			if _, err := tg.db.Exec("UPDATE t SET a = 42 WHERE id = 2"); err != nil {
				t.Fatal(err)
			}
			code, out, stderr := runCaptured(append(revert, "--execute")...)
			if code != exitOK {
				t.Fatalf("revert --execute: exit %d, %s %s\n%s", code, out, stderr, c.out.String())
			}
			if code := c.wait(t, time.Minute); code != exitOK {
				t.Fatalf("the run ended with %d after the revert:\n%s", code, c.out.String())
			}
			if !strings.Contains(c.out.String(), "Reverted") {
				t.Fatalf("the run does not report the revert:\n%s", c.out.String())
			}
			if _, err := tg.db.Exec("SELECT extra FROM t"); err == nil {
				t.Fatal("t still has the column the reverted ALTER added")
			}
			var a int
			if err := tg.db.QueryRow("SELECT a FROM t WHERE id = 2").Scan(&a); err != nil || a != 42 {
				t.Fatalf("the write made in the window is not in the reverted table: a=%d, %v", a, err)
			}
			if got := tg.leftovers(t); !strings.Contains(got, "_t_rev") || strings.Contains(got, "slot") {
				t.Fatalf("after the revert: %s (want _t_rev, and no slot)", got)
			}
		})
	}
}
