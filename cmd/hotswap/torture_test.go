package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hotswap/hotswap/internal/workload"
)

// The torture test: many migrations, each of a random table shape with a
// random ALTER from a catalogue, under a random write load, with a random
// fault (none, kill -9 then --resume, the stream's connection ended by the
// server, the cut-over blocked by a long transaction). After each: the load
// saw no error, every acknowledged write is in the new table, and every row
// of the new table equals the old one column by column (the load stops
// before the cut-over, so the old table is the final source).
//
// `make test` runs a few (HOTSWAP_TORTURE_MIGRATIONS, default 4); `make
// torture` runs many. HOTSWAP_TORTURE_SEED replays a run; the seed is
// printed first.

type shape struct {
	create string
	cols   []string // the columns the ALTERs may work on
}

type alterCase struct {
	sql    string
	uses   string            // a column it needs (and changes), "" if none
	alone  bool              // must be the only clause
	rename map[string]string // old -> new column names
	drops  string            // column it drops
}

var tortureShapes = map[string][]shape{
	"mysql": {
		{"CREATE TABLE t (id BIGINT PRIMARY KEY, a INT, s VARCHAR(64), u INT NOT NULL DEFAULT 0, d DATETIME(3), j JSON, wl_ver BIGINT) DEFAULT CHARSET=utf8mb4", []string{"a", "s"}},
		{"CREATE TABLE t (k VARCHAR(40) PRIMARY KEY, a INT, b DECIMAL(12,3), s TEXT, wl_ver BIGINT) DEFAULT CHARSET=utf8mb4", []string{"a", "s"}},
		{"CREATE TABLE t (r INT, id BIGINT, a INT, s VARCHAR(64), wl_ver BIGINT, PRIMARY KEY (r, id))", []string{"a", "s"}},
		{"CREATE TABLE t (id INT UNSIGNED PRIMARY KEY, a INT, f DOUBLE, bl BLOB, dt DATE, s VARCHAR(32), wl_ver BIGINT, UNIQUE KEY uq_s (s))", []string{"a"}},
	},
	"postgres": {
		{"CREATE TABLE t (id bigint PRIMARY KEY, a int, s varchar(64), j jsonb, ts timestamptz, wl_ver bigint)", []string{"a", "s"}},
		{"CREATE TABLE t (k text PRIMARY KEY, a int, n numeric(12,3), s text, b bytea, wl_ver bigint)", []string{"a", "s"}},
		{"CREATE TABLE t (r int, id bigint, a int, s text, wl_ver bigint, PRIMARY KEY (r, id))", []string{"a", "s"}},
		{"CREATE TABLE t (id uuid PRIMARY KEY, a int, f double precision, d date, s varchar(32) UNIQUE, wl_ver bigint)", []string{"a"}},
	},
}

var tortureAlters = map[string][]alterCase{
	"mysql": {
		{sql: "ADD COLUMN extra INT DEFAULT 7"},
		{sql: "ADD COLUMN note VARCHAR(20) NOT NULL DEFAULT 'n'"},
		{sql: "MODIFY a BIGINT", uses: "a"},
		{sql: "ADD INDEX ix_a (a)", uses: "a"},
		{sql: "DROP COLUMN s", uses: "s", drops: "s"},
		{sql: "CHANGE a a2 BIGINT", uses: "a", rename: map[string]string{"a": "a2"}},
		{sql: "ENGINE=InnoDB", alone: true},
	},
	"postgres": {
		{sql: "ADD COLUMN extra int DEFAULT 7"},
		{sql: "ADD COLUMN note text NOT NULL DEFAULT 'n'"},
		{sql: "ALTER COLUMN a TYPE bigint", uses: "a"},
		{sql: "DROP COLUMN s", uses: "s", drops: "s"},
		{sql: "RENAME COLUMN a TO a2", uses: "a", alone: true, rename: map[string]string{"a": "a2"}},
	},
}

var tortureFaults = []string{"none", "kill -9", "stream connection killed", "cut-over blocked"}

// tortureTally is what the closing note reports.
type tortureTally struct {
	migrations, rowsCompared, acked int
	faults                          map[string]int
}

func TestTorture(t *testing.T) {
	n := envInt("HOTSWAP_TORTURE_MIGRATIONS", 4)
	seed := int64(envInt("HOTSWAP_TORTURE_SEED", int(time.Now().UnixNano()%1e9)))
	budget := time.Duration(envInt("HOTSWAP_TORTURE_MINUTES", 30)) * time.Minute
	t.Logf("torture: seed %d (HOTSWAP_TORTURE_SEED=%d replays it), %d migrations", seed, seed, n)
	tally := tortureTally{faults: map[string]int{}}
	started := time.Now()
	for i := 0; i < n && time.Since(started) < budget; i++ {
		rnd := rand.New(rand.NewPCG(uint64(seed), uint64(i)))
		engine := []string{"mysql", "postgres"}[i%2]
		ok := t.Run(fmt.Sprintf("%d-%s", i, engine), func(t *testing.T) {
			tortureOne(t, engine, rnd, &tally)
		})
		if !ok {
			t.Fatalf("torture: migration %d failed; replay with HOTSWAP_TORTURE_SEED=%d", i, seed)
		}
	}
	summary := fmt.Sprintf("torture: seed %d: %d migrations, faults injected %v, %d rows compared column by column, %d acknowledged writes checked, 0 rows lost, in %s",
		seed, tally.migrations, tally.faults, tally.rowsCompared, tally.acked, time.Since(started).Round(time.Second))
	t.Log(summary)
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func tortureOne(t *testing.T, engine string, rnd *rand.Rand, tally *tortureTally) {
	tg := map[string]func(*testing.T) *target{"mysql": mysqlTarget, "postgres": postgresTarget}[engine](t)
	sh := tortureShapes[engine][rnd.IntN(len(tortureShapes[engine]))]
	alter := pickAlter(rnd, engine, sh)
	fault := tortureFaults[rnd.IntN(len(tortureFaults))]
	rows := 2000 + rnd.IntN(envInt("HOTSWAP_TORTURE_ROWS", 8000))
	t.Logf("shape %q, alter %q, %d rows, fault %q", sh.create, alter.sql, rows, fault)
	if _, err := tg.db.Exec(sh.create); err != nil {
		t.Fatal(err)
	}
	w, err := workload.New(tg.db, workload.Options{Table: "t", Workers: 1 + rnd.IntN(3), Rate: 100 + rnd.IntN(300), BigValueRatio: -1, Seed: rnd.Int64()})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Load(context.Background(), rows); err != nil {
		t.Fatal(err)
	}
	w.Start(context.Background())
	dir := t.TempDir()
	k := &killCase{t: t, tg: tg, sock: filepath.Join(dir, "hs.sock"), flag: filepath.Join(dir, "postpone"), rows: rows, rnd: rnd}
	os.WriteFile(k.flag, nil, 0o600)
	args := append([]string{"alter", "--table", "t", "--alter", alter.sql, "--execute",
		"--chunk-size", strconv.Itoa(100 + rnd.IntN(1500)), "--threads", strconv.Itoa(1 + rnd.IntN(4)),
		"--checkpoint-interval", "200ms", "--cut-over-lock-timeout-seconds", "1", "--default-retries", "1000",
		"--serve-socket-file", k.sock, "--postpone-cut-over-flag-file", k.flag, "--nice-ratio", "1"}, tg.args...)
	k.c = startChild(t, tg.env, args...)
	if !injectFault(k, fault) {
		fault = "none (the moment passed)"
	}
	tally.faults[fault]++
	// the load stops before the cut-over: then the old table is the final source
	if !k.c.waitFor(t, k.sock, "postponed", k.state("postponed")) {
		t.Fatalf("the run ended (exit %d) before its cut-over:\n%s", k.c.code, k.c.out.String())
	}
	st := w.Stop()
	if len(st.Errors) > 0 {
		t.Fatalf("the write load saw %d errors (first: %v)", len(st.Errors), st.Errors[0])
	}
	if fault == "cut-over blocked" {
		k.blockThenRelease()
		time.AfterFunc(time.Duration(1000+rnd.IntN(2000))*time.Millisecond, func() { k.blocker.Rollback() })
	} else {
		os.Remove(k.flag)
	}
	if code := k.c.wait(t, 4*time.Minute); code != 0 {
		t.Fatalf("hotswap exited %d:\n%s", code, k.c.out.String())
	}
	if err := w.Check(context.Background(), tg.db, "t"); err != nil {
		t.Fatalf("acknowledged writes missing: %v", err)
	}
	tally.rowsCompared += compareTables(t, tg, alter)
	tally.acked += int(st.Commits)
	tally.migrations++
	if got := tg.leftovers(t); got != "_t_old" {
		t.Errorf("left behind: %s (want only the old table _t_old)", got)
	}
}

// pickAlter draws one or two compatible clauses.
func pickAlter(rnd *rand.Rand, engine string, sh shape) alterCase {
	fits := func(a alterCase) bool { return a.uses == "" || contains(sh.cols, a.uses) }
	all := tortureAlters[engine]
	var first alterCase
	for first = all[rnd.IntN(len(all))]; !fits(first); first = all[rnd.IntN(len(all))] {
	}
	if first.alone || rnd.IntN(2) == 0 {
		return first
	}
	second := all[rnd.IntN(len(all))]
	if second.alone || !fits(second) || second.sql == first.sql || (second.uses != "" && second.uses == first.uses) {
		return first
	}
	out := alterCase{sql: first.sql + ", " + second.sql, rename: map[string]string{}}
	for _, a := range []alterCase{first, second} {
		for k, v := range a.rename {
			out.rename[k] = v
		}
		if a.drops != "" {
			out.drops = a.drops
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// injectFault waits for a random moment of the run before its cut-over and
// injects the fault; for kill -9 it then resumes the run in a new process.
// It says whether the fault was injected (the cut-over block comes later).
func injectFault(k *killCase, fault string) bool {
	switch fault {
	case "kill -9":
		return killThenResume(k)
	case "stream connection killed":
		k.c.waitFor(k.t, k.sock, "copying", k.state("copying"))
		k.pause(50*time.Millisecond, time.Second)
		killed := 0
		for range 2 {
			killed += k.tg.killStream()
			k.pause(300*time.Millisecond, time.Second)
		}
		k.t.Logf("%d stream connections killed", killed)
		return killed > 0
	}
	return true
}

// killThenResume kills the run past its preflight (from there its
// checkpoint table exists; a third of the kills come at once, often before
// the first checkpoint, which --resume answers by starting over) and
// starts the --resume.
func killThenResume(k *killCase) bool {
	if !k.c.waitFor(k.t, k.sock, "copying", func(st childStatus) bool { return st.State != "preflight" && st.State != "" }) {
		return false
	}
	if k.rnd.IntN(3) > 0 {
		k.pause(50*time.Millisecond, 2*time.Second)
	}
	k.c.kill()
	k.c = startChild(k.t, k.tg.env, append(append([]string{}, k.c.cmd.Args[1:]...), "--resume")...)
	return true
}

// compareTables compares the new table with the old one over the columns
// they share (renames followed, dropped columns left out) and returns the
// rows compared.
func compareTables(t *testing.T, tg *target, a alterCase) int {
	t.Helper()
	q := func(s string) string {
		if tg.engine == "mysql" {
			return "`" + s + "`"
		}
		return `"` + s + `"`
	}
	var oldCols, newCols []string
	for _, c := range strings.Split(tg.columnsOf(t, "_t_old"), ",") {
		if c == a.drops {
			continue
		}
		target := c
		if r, ok := a.rename[c]; ok {
			target = r
		}
		oldCols, newCols = append(oldCols, q(c)), append(newCols, q(target))
	}
	left := "SELECT " + strings.Join(newCols, ", ") + " FROM t"
	right := "SELECT " + strings.Join(oldCols, ", ") + " FROM _t_old"
	var diff, n, m int
	for _, pair := range [][2]string{{left, right}, {right, left}} {
		var d int
		if err := tg.db.QueryRow("SELECT count(*) FROM (" + pair[0] + " EXCEPT " + pair[1] + ") x").Scan(&d); err != nil {
			t.Fatalf("compare: %v", err)
		}
		diff += d
	}
	tg.db.QueryRow("SELECT count(*) FROM t").Scan(&n)
	tg.db.QueryRow("SELECT count(*) FROM _t_old").Scan(&m)
	if diff != 0 || n != m {
		t.Fatalf("the new table differs from the old one: %d rows differ, %d rows vs %d", diff, n, m)
	}
	return n
}

func (tg *target) columnsOf(t *testing.T, table string) string {
	if tg.engine == "mysql" {
		return queryList(t, tg.db, "SELECT column_name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = '"+table+"' ORDER BY ordinal_position")
	}
	return queryList(t, tg.db, "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '"+table+"' ORDER BY ordinal_position")
}
