package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hotswap/hotswap/engine"
	"github.com/hotswap/hotswap/internal/workload"
)

// TestStatus: `hotswap status` finds, on both engines and without being
// told a table, a live run (its lock held, its checkpointed progress),
// the same run killed with SIGKILL (left, with its progress and what to
// do), on PostgreSQL its slot (live, then left with the WAL it retains),
// nothing once `hotswap cleanup --execute` ran, then a failed version of
// migrate; never the test's own
// table, slot, publication or lock, nor a table named like a shadow of a
// table that is not there.
func TestStatus(t *testing.T) {
	for _, newTarget := range []func(*testing.T) *target{mysqlTarget, postgresTarget} {
		tg := newTarget(t)
		t.Run(tg.engine, func(t *testing.T) { runStatusCase(t, tg) })
	}
}

// decoys are the test's own objects that status must not list.
var decoys = []string{"app_events", "_gone_new", "app_slot", "app_pub", "app.lock"}

func runStatusCase(t *testing.T, tg *target) {
	const rows = 20000
	if _, err := tg.db.Exec(tg.create); err != nil {
		t.Fatal(err)
	}
	w, err := workload.New(tg.db, workload.Options{Table: "t", Workers: 1, BigValueRatio: -1, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Load(context.Background(), rows); err != nil {
		t.Fatal(err)
	}
	addDecoys(t, tg)
	dir := t.TempDir()
	sock, throttle, postpone := filepath.Join(dir, "hs.sock"), filepath.Join(dir, "throttle"), filepath.Join(dir, "postpone")
	os.WriteFile(postpone, nil, 0o600)
	c := startChild(t, tg.env, append([]string{"alter", "--table", "t", "--alter", tg.alter, "--execute", "--chunk-size", "200",
		"--checkpoint-interval", "200ms", "--nice-ratio", "3", "--serve-socket-file", sock,
		"--throttle-flag-file", throttle, "--postpone-cut-over-flag-file", postpone}, tg.args...)...)
	if !c.waitFor(t, sock, "a third of the copy", func(st childStatus) bool { return st.State == "copying" && st.RowsCopied >= rows/3 }) {
		t.Fatalf("the run ended before a third of its copy:\n%s", c.out.String())
	}
	os.WriteFile(throttle, nil, 0o600) // the run stays live, its copy where it is
	live := waitForRun(t, tg, "a live run with a checkpoint", func(r engine.RunInfo) bool {
		return r.Kind == engine.KindRun && r.State == engine.Live && r.Rows > 0
	})
	if live.HeldBy == "" || live.Hint != "" || live.Rows >= rows || !hasObject(live, "_t_chk") {
		t.Errorf("live run: %+v, want held, no hint, part of the copy, its checkpoint table", live)
	}
	t.Logf("status of the live run:\n%s", runCLI(t, tg, append([]string{"status"}, tg.args...)...))
	if tg.engine == "postgres" {
		waitForRun(t, tg, "its slot in use", func(r engine.RunInfo) bool {
			return r.Kind == engine.KindSlot && r.State == engine.Live && r.HeldBy != ""
		})
	}
	c.kill()
	checkLeft(t, tg)
	runCLI(t, tg, append([]string{"cleanup", "--table", "t", "--execute"}, tg.args...)...)
	text := runCLI(t, tg, append([]string{"status"}, tg.args...)...)
	if !strings.HasPrefix(text, "no hotswap runs found on ") {
		t.Errorf("after cleanup, status found:\n%s", text)
	}
	checkNoDecoys(t, text)
	checkFailedVersion(t, tg)
}

// checkFailedVersion: a version of migrate that failed is found in the
// history table, left, with what to do.
func checkFailedVersion(t *testing.T, tg *target) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "0001_bad.up.sql"), []byte("ALTER TABLE no_such_table ADD COLUMN x INT;\n"), 0o600)
	args := append([]string{"migrate", "up", "--dir", dir}, tg.args...)
	if out, err := execCLI(tg, args...); err == nil {
		t.Fatalf("migrate up of a bad version succeeded:\n%s", out)
	}
	v := waitForRun(t, tg, "the failed version", func(r engine.RunInfo) bool { return r.Kind == engine.KindMigrate })
	if v.Version != 1 || v.State != engine.Left || !strings.Contains(v.Detail, "failed") || !strings.Contains(v.Hint, "migrate up") {
		t.Errorf("failed version: %+v, want version 1 left, failed, a hint to continue it", v)
	}
	if tg.args[0] == "--dsn" { // --env takes the servers as DSNs
		checkEnv(t, tg, tg.args[1])
	}
}

// checkEnv: with --env, status looks at the environment's servers, each
// named without its password; the environment's flags are migrate's.
func checkEnv(t *testing.T, tg *target, dsn string) {
	cfg := filepath.Join(t.TempDir(), "hotswap.yaml")
	os.WriteFile(cfg, []byte("environments:\n  staging:\n    servers: ["+dsn+"]\n    flags: {max-lag-millis: \"1000\"}\n"), 0o600)
	out := runCLI(t, tg, "status", "--env", "staging", "--config", cfg)
	if !strings.Contains(out, "migrate") || !strings.Contains(out, "version 1 bad: failed") {
		t.Errorf("status --env did not find the failed version:\n%s", out)
	}
}

// checkLeft: the killed run is left, with its progress and what to do; on
// PostgreSQL its slot too, with the WAL it keeps.
func checkLeft(t *testing.T, tg *target) {
	left := waitForRun(t, tg, "the killed run left", func(r engine.RunInfo) bool { return r.Kind == engine.KindRun && r.State == engine.Left })
	if left.HeldBy != "" || left.Rows == 0 || left.Checkpointed.IsZero() || left.Statement == "" ||
		!strings.Contains(left.Hint, "--resume") || !strings.Contains(left.Hint, "hotswap cleanup --table ") {
		t.Errorf("killed run: %+v, want not held, its checkpointed progress, a hint to resume or clean up", left)
	}
	if tg.engine == "postgres" {
		slot := waitForRun(t, tg, "the slot left", func(r engine.RunInfo) bool { return r.Kind == engine.KindSlot && r.State == engine.Left })
		if slot.Table != "t" || slot.WALRetained == nil || *slot.WALRetained <= 0 || !strings.Contains(slot.Hint, "hotswap cleanup --table public.t") {
			t.Errorf("slot left: %+v, want the table t, the WAL it retains, a hint to clean up", slot)
		}
	}
	text := runCLI(t, tg, append([]string{"status"}, tg.args...)...)
	t.Logf("status after the kill:\n%s", text)
	for _, want := range []string{"KIND", "left", "What to do:", "--resume"} {
		if !strings.Contains(text, want) {
			t.Errorf("status text lacks %q:\n%s", want, text)
		}
	}
	checkNoDecoys(t, text)
}

// addDecoys makes what status must not take for hotswap's: a table, a
// table named like the shadow of a table that is not there, a lock of
// another application; on PostgreSQL a slot and a publication too.
func addDecoys(t *testing.T, tg *target) {
	for _, stmt := range []string{"CREATE TABLE app_events (id INT PRIMARY KEY)", "CREATE TABLE _gone_new (id INT PRIMARY KEY)"} {
		if _, err := tg.db.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
	conn, err := tg.db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	lock := "SELECT GET_LOCK('app.lock', 1)"
	if tg.engine == "postgres" {
		lock = "SELECT pg_advisory_lock(hashtextextended('app.lock', 0))"
		if _, err := tg.db.Exec("CREATE PUBLICATION app_pub FOR TABLE app_events"); err != nil {
			t.Fatal(err)
		}
		var db string
		tg.db.QueryRow("SELECT current_database()").Scan(&db)
		slot := "app_slot_" + strings.ReplaceAll(db, "-", "_")
		if _, err := tg.db.Exec("SELECT pg_create_logical_replication_slot($1, 'pgoutput')", slot); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { tg.db.Exec("SELECT pg_drop_replication_slot($1)", slot) })
	}
	if _, err := conn.ExecContext(context.Background(), lock); err != nil {
		t.Fatal(err)
	}
}

func checkNoDecoys(t *testing.T, text string) {
	t.Helper()
	for _, d := range decoys {
		if strings.Contains(text, d) {
			t.Errorf("status lists %s, which is not hotswap's:\n%s", d, text)
		}
	}
}

// waitForRun polls `hotswap status --json` until one run satisfies cond
// (the server notices a killed client's sessions in a moment).
func waitForRun(t *testing.T, tg *target, what string, cond func(engine.RunInfo) bool) engine.RunInfo {
	t.Helper()
	var last string
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		last = runCLI(t, tg, append([]string{"status", "--json"}, tg.args...)...)
		checkNoDecoys(t, last)
		var found []serverRuns
		if err := json.Unmarshal([]byte(last), &found); err != nil || len(found) != 1 {
			t.Fatalf("status --json: %v:\n%s", err, last)
		}
		for _, r := range found[0].Runs {
			if cond(r) {
				return r
			}
		}
	}
	t.Fatalf("status never showed %s; last:\n%s", what, last)
	return engine.RunInfo{}
}

// runCLI runs a hotswap command in this process and returns its standard
// output; it must succeed.
func runCLI(t *testing.T, tg *target, args ...string) string {
	t.Helper()
	out, err := execCLI(tg, args...)
	if err != nil {
		t.Fatalf("hotswap %s: %v\n%s", args[0], err, out)
	}
	return out
}

// execCLI runs a hotswap command in this process: its standard output, and
// its standard error too when it fails.
func execCLI(tg *target, args ...string) (string, error) {
	for _, e := range tg.env {
		if pw, ok := strings.CutPrefix(e, "HOTSWAP_PASSWORD="); ok {
			args = append(args, "--password", pw)
		}
	}
	var out, errOut bytes.Buffer
	root := rootCommand()
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&errOut)
	if err := root.Execute(); err != nil {
		return out.String() + errOut.String(), err
	}
	return out.String(), nil
}

func hasObject(r engine.RunInfo, name string) bool {
	for _, o := range r.Objects {
		if o == name {
			return true
		}
	}
	return false
}
