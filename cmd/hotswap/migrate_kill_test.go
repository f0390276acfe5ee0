package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hotswap/hotswap/control"
)

// widen is an ALTER clause no server makes in place (INT to BIGINT): the
// statement copies the table.
var widen = map[string]string{"mysql": "MODIFY v BIGINT NOT NULL", "postgres": "ALTER COLUMN v TYPE bigint"}

// TestMigrateKillNineThenUp kills `hotswap migrate up` with SIGKILL while
// a version's online ALTER copies, then runs `migrate up` again: it
// continues that statement from its checkpoint (no flag needed), the
// version is recorded applied, and every row of the new table equals the
// old one's.
func TestMigrateKillNineThenUp(t *testing.T) {
	for _, newTarget := range []func(*testing.T) *target{mysqlTarget, postgresTarget} {
		tg := newTarget(t)
		t.Run(tg.engine, func(t *testing.T) {
			fill := map[string]string{"mysql": "SELECT seq, seq FROM seq_1_to_60000", "postgres": "SELECT g, g FROM generate_series(1, 60000) g"}[tg.engine]
			analyze := map[string]string{"mysql": "ANALYZE TABLE items", "postgres": "ANALYZE items"}[tg.engine]
			dir := t.TempDir()
			for name, body := range map[string]string{
				"0001_items.up.sql": "CREATE TABLE items (id BIGINT PRIMARY KEY, v INT NOT NULL);\nINSERT INTO items (id, v) " + fill + ";\n" + analyze + ";",
				"0002_note.up.sql":  "ALTER TABLE items ADD COLUMN note VARCHAR(20) DEFAULT 'n', " + widen[tg.engine] + ";", // copies: no server makes the type change in place
			} {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			sock := filepath.Join(t.TempDir(), "hs.sock")
			args := append([]string{"migrate", "up", "--dir", dir, "--online-rows", "1000", "--chunk-size", "500", "--serve-socket-file", sock}, tg.args...)
			first := startChild(t, tg.env, append(args, "--nice-ratio", "3")...)
			copying := func(st childStatus) bool { return st.State == "copying" && st.RowsCopied >= 15000 }
			if !first.waitFor(t, sock, "a quarter of the online ALTER's copy", copying) {
				t.Fatalf("migrate up ended before the kill:\n%s", first.out.String())
			}
			if _, err := control.Send(context.Background(), sock, "throttle"); err != nil { // hold the copy where it is
				t.Fatal(err)
			}
			time.Sleep(2500 * time.Millisecond) // a checkpoint inside the copy
			first.kill()
			again := startChild(t, tg.env, args...)
			if code := again.wait(t, 3*time.Minute); code != 0 {
				t.Fatalf("migrate up after the kill exited %d:\n%s", code, again.out.String())
			}
			out := again.out.String()
			if !strings.Contains(out, "Resuming from the checkpoint") || !strings.Contains(out, "Version 2 (note) applied") {
				t.Fatalf("the second up did not continue the online ALTER from its checkpoint:\n%s", out)
			}
			var diff, n, applied int
			q := "SELECT count(*) FROM (SELECT id, v FROM items EXCEPT SELECT id, v FROM _items_old) x"
			if err := tg.db.QueryRow(q).Scan(&diff); err != nil || diff != 0 {
				t.Fatalf("%d rows of the new table differ from the old (%v)", diff, err)
			}
			if err := tg.db.QueryRow("SELECT count(note) FROM items").Scan(&n); err != nil || n != 60000 {
				t.Fatalf("the new table has %d rows with the new column (%v)", n, err)
			}
			if err := tg.db.QueryRow("SELECT count(*) FROM hotswap_migrations WHERE state = 'applied'").Scan(&applied); err != nil || applied != 2 {
				t.Fatalf("%d versions recorded applied (%v)", applied, err)
			}
		})
	}
}

// TestMigrateKillNineInRevertWindowThenDown kills `migrate up
// --revert-window` with SIGKILL while it serves the window of a version's
// online ALTER (the version recorded revertible), writes to the table
// after the kill, then runs `migrate down`: finding no up alive, it resumes
// the window from its checkpoint, reverts the version by swapping the old
// table back (not by the down file), with the writes made after the kill in
// it, and records the version reverted. Then the same once more, but `migrate
// up` after the kill: it resumes the windows only to close them, and the
// version is applied (no replication slot left on PostgreSQL).
func TestMigrateKillNineInRevertWindowThenDown(t *testing.T) {
	for _, newTarget := range []func(*testing.T) *target{mysqlTarget, postgresTarget} {
		tg := newTarget(t)
		t.Run(tg.engine, func(t *testing.T) {
			fill := map[string]string{"mysql": "SELECT seq, seq FROM seq_1_to_20000", "postgres": "SELECT g, g FROM generate_series(1, 20000) g"}[tg.engine]
			analyze := map[string]string{"mysql": "ANALYZE TABLE items", "postgres": "ANALYZE items"}[tg.engine]
			dir := t.TempDir()
			for name, body := range map[string]string{
				"0001_items.up.sql":  "CREATE TABLE items (id BIGINT PRIMARY KEY, v INT NOT NULL);\nINSERT INTO items (id, v) " + fill + ";\n" + analyze + ";",
				"0002_note.up.sql":   "ALTER TABLE items ADD COLUMN note VARCHAR(20) DEFAULT 'n', " + widen[tg.engine] + ";",
				"0002_note.down.sql": "-- the window reverts instead\nCREATE TABLE down_file_ran (id INT PRIMARY KEY);",
			} {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			args := append([]string{"migrate", "--dir", dir, "--online-rows", "1000"}, tg.args...)
			first := startChild(t, tg.env, append(append([]string{}, args...), "up", "--revert-window", "10m")...)
			waitVersionState(t, tg, first, 2, "revertible")
			time.Sleep(2500 * time.Millisecond) // a window checkpoint
			first.kill()
			upd := map[string]string{"mysql": "UPDATE items SET v = -7 WHERE id = 7", "postgres": "UPDATE items SET v = -7 WHERE id = 7"}[tg.engine]
			if _, err := tg.db.Exec(upd); err != nil {
				t.Fatal(err)
			}
			down := startChild(t, tg.env, append(append([]string{}, args...), "down")...)
			if code := down.wait(t, 3*time.Minute); code != 0 {
				t.Fatalf("migrate down after the kill exited %d:\n%s", code, down.out.String())
			}
			if out := down.out.String(); !strings.Contains(out, "Version 2 (note) was reverted in its window") {
				t.Fatalf("down did not revert in the window:\n%s", out)
			}
			var v, n int
			var state string
			if err := tg.db.QueryRow("SELECT v FROM items WHERE id = 7").Scan(&v); err != nil || v != -7 {
				t.Fatalf("the write made after the kill: v = %d (%v)", v, err)
			}
			if err := tg.db.QueryRow("SELECT count(*) FROM items").Scan(&n); err != nil || n != 20000 {
				t.Fatalf("items has %d rows (%v)", n, err)
			}
			if _, err := tg.db.Exec("SELECT note FROM items"); err == nil {
				t.Fatal("items still has the column version 2 added")
			}
			if _, err := tg.db.Exec("SELECT 1 FROM down_file_ran"); err == nil {
				t.Fatal("the down file ran")
			}
			if err := tg.db.QueryRow("SELECT state FROM hotswap_migrations WHERE version = 2").Scan(&state); err != nil || state != "reverted" {
				t.Fatalf("version 2 is %q (%v)", state, err)
			}

			// again, killed in the window, then up: it closes the windows, the migration stands
			again := startChild(t, tg.env, append(append([]string{}, args...), "up", "--revert-window", "10m")...)
			waitVersionState(t, tg, again, 2, "revertible")
			time.Sleep(2500 * time.Millisecond)
			again.kill()
			up := startChild(t, tg.env, append(append([]string{}, args...), "up")...)
			if code := up.wait(t, 3*time.Minute); code != 0 || !strings.Contains(up.out.String(), "The revert windows of version 2 (note) are closed: the version is applied") {
				t.Fatalf("up after the kill in the window exited %d:\n%s", code, up.out.String())
			}
			if err := tg.db.QueryRow("SELECT count(note) FROM items").Scan(&n); err != nil || n != 20000 {
				t.Fatalf("the migration does not stand: %d notes (%v)", n, err)
			}
			if err := tg.db.QueryRow("SELECT state FROM hotswap_migrations WHERE version = 2").Scan(&state); err != nil || state != "applied" {
				t.Fatalf("version 2 is %q (%v)", state, err)
			}
			if tg.engine == "postgres" {
				if err := tg.db.QueryRow("SELECT count(*) FROM pg_replication_slots").Scan(&n); err != nil || n != 0 {
					t.Fatalf("%d replication slots left (%v)", n, err)
				}
			}
		})
	}
}

// waitVersionState waits until the history records version n in state,
// while c runs.
func waitVersionState(t *testing.T, tg *target, c *child, n int, state string) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for got := ""; got != state; time.Sleep(100 * time.Millisecond) {
		if c.done() || time.Now().After(deadline) {
			c.kill()
			t.Fatalf("version %d never became %s:\n%s", n, state, c.out.String())
		}
		_ = tg.db.QueryRow(fmt.Sprintf("SELECT state FROM hotswap_migrations WHERE version = %d", n)).Scan(&got)
	}
}

// TestMigrateDownAfterRevertWindowOver: `migrate up --revert-window 3s` is
// killed in its window, and `migrate down` comes after the window's end:
// the resumed window finds itself over (the migration stands, nothing left
// held), and down reverts the version by its down file instead, saying so.
func TestMigrateDownAfterRevertWindowOver(t *testing.T) {
	for _, newTarget := range []func(*testing.T) *target{mysqlTarget, postgresTarget} {
		tg := newTarget(t)
		t.Run(tg.engine, func(t *testing.T) {
			fill := map[string]string{"mysql": "SELECT seq, seq FROM seq_1_to_5000", "postgres": "SELECT g, g FROM generate_series(1, 5000) g"}[tg.engine]
			analyze := map[string]string{"mysql": "ANALYZE TABLE items", "postgres": "ANALYZE items"}[tg.engine]
			dir := t.TempDir()
			for name, body := range map[string]string{
				"0001_items.up.sql":  "CREATE TABLE items (id BIGINT PRIMARY KEY, v INT NOT NULL);\nINSERT INTO items (id, v) " + fill + ";\n" + analyze + ";",
				"0002_note.up.sql":   "ALTER TABLE items ADD COLUMN note VARCHAR(20) DEFAULT 'n', " + widen[tg.engine] + ";",
				"0002_note.down.sql": "CREATE TABLE down_file_ran (id INT PRIMARY KEY);",
			} {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			args := append([]string{"migrate", "--dir", dir, "--online-rows", "1000"}, tg.args...)
			up := startChild(t, tg.env, append(append([]string{}, args...), "up", "--revert-window", "3s")...)
			waitVersionState(t, tg, up, 2, "revertible")
			time.Sleep(2 * time.Second) // a window checkpoint
			up.kill()
			time.Sleep(2 * time.Second) // the window's end
			down := startChild(t, tg.env, append(append([]string{}, args...), "down")...)
			code := down.wait(t, 3*time.Minute)
			out := down.out.String()
			if code != 0 || !strings.Contains(out, "was over: reverting it by its down file") {
				t.Fatalf("down after the window's end exited %d:\n%s", code, out)
			}
			var n int
			var state string
			if _, err := tg.db.Exec("SELECT 1 FROM down_file_ran"); err != nil {
				t.Fatalf("the down file did not run (%v):\n%s", err, out)
			}
			if err := tg.db.QueryRow("SELECT count(note) FROM items").Scan(&n); err != nil || n != 5000 {
				t.Fatalf("the migration does not stand: %d notes (%v)", n, err)
			}
			if err := tg.db.QueryRow("SELECT state FROM hotswap_migrations WHERE version = 2").Scan(&state); err != nil || state != "reverted" {
				t.Fatalf("version 2 is %q (%v)", state, err)
			}
			if tg.engine == "postgres" {
				if err := tg.db.QueryRow("SELECT count(*) FROM pg_replication_slots").Scan(&n); err != nil || n != 0 {
					t.Fatalf("%d replication slots left (%v)", n, err)
				}
			}
		})
	}
}
