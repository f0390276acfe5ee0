package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSignalStopsCleanly: SIGTERM (and SIGINT) during the copy stops the run
// at once with exit status 1, the table in place, and says what is left and
// what to do: on MySQL resume (which then finishes), on PostgreSQL (whose
// slot is dropped on a clean exit) clean up, which then leaves nothing.
func TestSignalStopsCleanly(t *testing.T) {
	for _, c := range []struct {
		newTarget func(*testing.T) *target
		sig       syscall.Signal
		want      []string
	}{
		{mysqlTarget, syscall.SIGTERM, []string{"is in place and unchanged", "Left behind: shadow table", "--resume"}},
		{postgresTarget, syscall.SIGINT, []string{"is in place and unchanged", "Left behind: shadow table", "cannot be resumed", "hotswap cleanup"}},
	} {
		tg := c.newTarget(t)
		t.Run(tg.engine, func(t *testing.T) {
			if _, err := tg.db.Exec(tg.create); err != nil {
				t.Fatal(err)
			}
			if _, err := tg.db.Exec(map[string]string{
				"mysql":    "INSERT INTO t (id, a, s, wl_ver) SELECT seq, seq, 'x', 0 FROM seq_1_to_30000",
				"postgres": "INSERT INTO t (id, a, s, wl_ver) SELECT g, g, 'x', 0 FROM generate_series(1, 30000) g"}[tg.engine]); err != nil {
				t.Fatal(err)
			}
			sock := filepath.Join(t.TempDir(), "hs.sock")
			args := append([]string{"alter", "--table", "t", "--alter", tg.alter, "--execute", "--chunk-size", "200",
				"--checkpoint-interval", "200ms", "--nice-ratio", "2"}, tg.args...)
			ch := startChild(t, tg.env, append(args, "--serve-socket-file", sock)...)
			ch.waitFor(t, sock, "a part of the copy", func(st childStatus) bool { return st.State == "copying" && st.RowsCopied > 5000 })
			time.Sleep(300 * time.Millisecond) // a checkpoint with a watermark
			ch.cmd.Process.Signal(c.sig)
			if code := ch.wait(t, time.Minute); code != exitFailed {
				t.Fatalf("exit status %d after %s, want %d:\n%s", code, c.sig, exitFailed, ch.out.String())
			}
			for _, w := range c.want {
				if !strings.Contains(ch.out.String(), w) {
					t.Errorf("after %s the output lacks %q:\n%s", c.sig, w, ch.out.String())
				}
			}
			if _, err := os.Stat(sock); !os.IsNotExist(err) {
				t.Errorf("the control socket was not removed: %v", err)
			}
			var n int
			if err := tg.db.QueryRow("SELECT count(*) FROM t").Scan(&n); err != nil || n != 30000 {
				t.Fatalf("the table after the signal: %d rows, %v", n, err)
			}
			next := append(append([]string{}, args...), "--resume")
			want := "_t_old"
			if tg.engine == "postgres" {
				next = append([]string{"cleanup", "--table", "t", "--execute"}, tg.args...)
				want = ""
			}
			again := startChild(t, tg.env, next...)
			if code := again.wait(t, 3*time.Minute); code != 0 {
				t.Fatalf("%s exited %d:\n%s", next[0], code, again.out.String())
			}
			if got := tg.leftovers(t); got != want {
				t.Errorf("after %s: left %q, want %q\n%s", next[0], got, want, again.out.String())
			}
		})
	}
}
