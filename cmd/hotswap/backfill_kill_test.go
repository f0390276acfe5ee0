package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBackfillKillNineThenResume kills `hotswap backfill` with SIGKILL a
// third of the way, then `--resume` continues after the checkpointed key
// (it does not start over) and the table ends exactly as one UPDATE makes
// its twin, on both engines.
func TestBackfillKillNineThenResume(t *testing.T) {
	for _, newTarget := range []func(*testing.T) *target{mysqlTarget, postgresTarget} {
		tg := newTarget(t)
		t.Run(tg.engine, func(t *testing.T) {
			createTwins(t, tg)
			sock := filepath.Join(t.TempDir(), "bf.sock")
			args := append([]string{"backfill", "--table", "t", "--set", "full_name = UPPER(first)", "--where", "full_name IS NULL",
				"--execute", "--chunk-size", "200", "--checkpoint-interval", "200ms"}, tg.args...)
			first := startChild(t, tg.env, append(args, "--serve-socket-file", sock, "--nice-ratio", "2")...)
			first.waitFor(t, sock, "a third of the rows changed", func(st childStatus) bool { return st.RowsChanged >= 10000 })
			time.Sleep(300 * time.Millisecond) // a checkpoint past it
			first.kill()
			resumed := startChild(t, tg.env, append(args, "--resume")...)
			if code := resumed.wait(t, 3*time.Minute); code != 0 {
				t.Fatalf("the resume exited %d:\n%s", code, resumed.out.String())
			}
			if out := resumed.out.String(); !strings.Contains(out, "continuing after key") {
				t.Fatalf("the resume did not continue from its checkpoint:\n%s", out)
			}
			requireLikeOneUpdate(t, tg)
		})
	}
}

// createTwins creates t, 30,000 rows with full_name to fill from first, and
// its twin t2 for one plain UPDATE to change.
func createTwins(t *testing.T, tg *target) {
	t.Helper()
	concat := map[string]string{"mysql": "CONCAT('f', id)", "postgres": "'f' || id"}[tg.engine]
	gen := map[string]string{"mysql": "SELECT seq FROM seq_1_to_30000", "postgres": "SELECT generate_series(1, 30000)"}[tg.engine]
	for _, stmt := range []string{
		"CREATE TABLE t (id BIGINT PRIMARY KEY, first VARCHAR(20), full_name VARCHAR(41))",
		"INSERT INTO t (id) " + gen,
		"UPDATE t SET first = " + concat,
		"CREATE TABLE t2 AS SELECT * FROM t",
	} {
		if _, err := tg.db.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
}

// requireLikeOneUpdate runs the backfill's change on t2 as one UPDATE and
// requires t to equal it row by row, with the checkpoint table gone.
func requireLikeOneUpdate(t *testing.T, tg *target) {
	t.Helper()
	if _, err := tg.db.Exec("UPDATE t2 SET full_name = UPPER(first) WHERE full_name IS NULL"); err != nil {
		t.Fatal(err)
	}
	var diff int
	q := "SELECT count(*) FROM (SELECT id, first, full_name FROM t EXCEPT SELECT id, first, full_name FROM t2) x"
	if err := tg.db.QueryRow(q).Scan(&diff); err != nil || diff != 0 {
		t.Fatalf("%d rows differ from a single UPDATE (%v)", diff, err)
	}
	if got := tg.leftovers(t); got != "t2" {
		t.Errorf("left behind: %q (want the checkpoint table dropped)", got)
	}
}
