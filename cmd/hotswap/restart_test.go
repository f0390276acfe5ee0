package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServerRestartResumesOnItsOwn restarts the server while `hotswap alter`
// copies: the run fails, waits for the server to answer again (within
// --reconnect-timeout), resumes from its checkpoint by itself and finishes;
// the new table holds every row of the old one, column by column.
func TestServerRestartResumesOnItsOwn(t *testing.T) {
	for _, newTarget := range []func(*testing.T) *target{mysqlTarget, postgresTarget} {
		tg := newTarget(t)
		t.Run(tg.engine, func(t *testing.T) {
			if _, err := tg.db.Exec(tg.create); err != nil {
				t.Fatal(err)
			}
			gen := map[string]string{"mysql": "SELECT seq, seq, 'x', 0 FROM seq_1_to_60000", "postgres": "SELECT g, g, 'x', 0 FROM generate_series(1, 60000) g"}[tg.engine]
			if _, err := tg.db.Exec("INSERT INTO t (id, a, s, wl_ver) " + gen); err != nil {
				t.Fatal(err)
			}
			sock := filepath.Join(t.TempDir(), "hs.sock")
			ch := startChild(t, tg.env, append([]string{"alter", "--table", "t", "--alter", tg.alter, "--execute", "--chunk-size", "200",
				"--checkpoint-interval", "200ms", "--nice-ratio", "2", "--reconnect-timeout", "90s", "--serve-socket-file", sock}, tg.args...)...)
			ch.waitFor(t, sock, "a quarter of the copy", func(st childStatus) bool { return st.State == "copying" && st.RowsCopied >= 15000 })
			tg.restart()
			if code := ch.wait(t, 4*time.Minute); code != 0 {
				t.Fatalf("hotswap exited %d after the restart:\n%s", code, ch.out.String())
			}
			out := ch.out.String()
			if !strings.Contains(out, "resuming from the checkpoint") || !strings.Contains(out, "rows up to key") {
				t.Fatalf("the run did not resume from its checkpoint by itself:\n%s", out)
			}
			var diff, n int
			q := "SELECT count(*) FROM (SELECT id, a, s, wl_ver FROM t EXCEPT SELECT id, a, s, wl_ver FROM _t_old) x"
			if err := tg.db.QueryRow(q).Scan(&diff); err != nil || diff != 0 {
				t.Fatalf("%d rows of the new table differ from the old (%v)", diff, err)
			}
			if err := tg.db.QueryRow("SELECT count(*) FROM t").Scan(&n); err != nil || n != 60000 {
				t.Fatalf("the new table has %d rows (%v)", n, err)
			}
			if got := tg.leftovers(t); got != "_t_old" {
				t.Errorf("left behind: %s", got)
			}
		})
	}
}

// TestBackfillServerRestartContinuesOnItsOwn restarts the server a third of
// the way through `hotswap backfill`: it waits for the server (within
// --reconnect-timeout), continues after its checkpointed key by itself, and
// the table ends exactly as one UPDATE makes its twin.
func TestBackfillServerRestartContinuesOnItsOwn(t *testing.T) {
	for _, newTarget := range []func(*testing.T) *target{mysqlTarget, postgresTarget} {
		tg := newTarget(t)
		t.Run(tg.engine, func(t *testing.T) {
			createTwins(t, tg)
			sock := filepath.Join(t.TempDir(), "bf.sock")
			ch := startChild(t, tg.env, append([]string{"backfill", "--table", "t", "--set", "full_name = UPPER(first)", "--where", "full_name IS NULL",
				"--execute", "--chunk-size", "200", "--checkpoint-interval", "200ms", "--nice-ratio", "2", "--reconnect-timeout", "90s",
				"--serve-socket-file", sock}, tg.args...)...)
			ch.waitFor(t, sock, "a third of the rows changed", func(st childStatus) bool { return st.RowsChanged >= 10000 })
			tg.restart()
			if code := ch.wait(t, 4*time.Minute); code != 0 {
				t.Fatalf("hotswap backfill exited %d after the restart:\n%s", code, ch.out.String())
			}
			if out := ch.out.String(); !strings.Contains(out, "resuming from the checkpoint") || !strings.Contains(out, "continuing after key") {
				t.Fatalf("the backfill did not continue from its checkpoint by itself:\n%s", out)
			}
			requireLikeOneUpdate(t, tg)
		})
	}
}
