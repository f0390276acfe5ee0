package main

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hotswap/hotswap/internal/testdb"
	"github.com/hotswap/hotswap/internal/workload"
	_ "github.com/jackc/pgx/v5/stdlib"
)

// target is one engine's side of the fault tests.
type target struct {
	engine string
	db     *sql.DB  // owner of the table: workload, blocker, checks
	args   []string // connection flags of the hotswap command
	env    []string
	create string
	alter  string
	// block takes the table's write lock without changing a row: it holds
	// the checksum point and the cut-over until its transaction ends.
	block string
	// leftovers lists what hotswap left in the database (tables besides t,
	// slots, publications), sorted, for the final check.
	leftovers func(t *testing.T) string
	// killStream ends hotswap's change-stream connection from the server
	// side and returns how many it ended.
	killStream func() int
	restart    func() // restarts the server (every session ends)
}

func mysqlTarget(t *testing.T) *target {
	srv := testdb.MySQLServer(t)
	name, admin := srv.NewDatabase(t)
	pw := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pw, []byte(srv.Password), 0o600)
	return &target{engine: "mysql", db: admin, restart: func() { srv.Restart(t) },
		args:   []string{"--host", srv.Host, "--port", itoa(srv.Port), "--user", srv.User, "--password-file", pw, "--database", name},
		create: "CREATE TABLE t (id BIGINT PRIMARY KEY, a INT, s VARCHAR(64), u INT NOT NULL DEFAULT 0, d DATETIME(3), j JSON, wl_ver BIGINT) DEFAULT CHARSET=utf8mb4",
		alter:  "ADD COLUMN extra INT DEFAULT 7, MODIFY a BIGINT, ADD INDEX ix_s (s)",
		block:  "UPDATE t SET wl_ver = wl_ver WHERE 1 = 0",
		leftovers: func(t *testing.T) string {
			return queryList(t, admin, "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name <> 't' ORDER BY 1")
		},
		killStream: func() int {
			ids := queryList(t, admin, "SELECT ID FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%'")
			n := 0
			for _, id := range strings.Split(ids, ",") {
				if _, err := admin.Exec("KILL " + id); id != "" && err == nil {
					n++
				}
			}
			return n
		}}
}

func postgresTarget(t *testing.T) *target {
	srv := testdb.PostgresServer(t)
	name, admin := srv.NewDatabase(t)
	app, err := sql.Open("pgx", srv.DSN(name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.Close() })
	return &target{engine: "postgres", db: app, restart: func() { srv.Restart(t) },
		args:   []string{"--dsn", fmt.Sprintf("postgres://%s@%s:%d/%s", srv.User, srv.Host, srv.Port, name)},
		env:    []string{"HOTSWAP_PASSWORD=" + srv.Password},
		create: "CREATE TABLE t (id bigint PRIMARY KEY, a int, s varchar(64), j jsonb, ts timestamptz, wl_ver bigint)",
		alter:  "ADD COLUMN extra int DEFAULT 7, ALTER COLUMN a TYPE bigint",
		block:  "UPDATE t SET wl_ver = wl_ver WHERE 1 = 0",
		leftovers: func(t *testing.T) string {
			return queryList(t, admin, `SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' AND relname <> 't'
				UNION ALL SELECT 'slot ' || slot_name FROM pg_replication_slots WHERE database = current_database()
				UNION ALL SELECT 'publication ' || pubname FROM pg_publication ORDER BY 1`)
		},
		killStream: func() int {
			var n int
			admin.QueryRow("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_replication WHERE application_name = 'hotswap'").Scan(&n)
			return n
		}}
}

func queryList(t *testing.T, db *sql.DB, q string) string {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		out = append(out, s)
	}
	return strings.Join(out, ",")
}

// killPhase says when, in a run, the process is killed.
type killPhase struct {
	name         string
	skipChecksum bool
	// reach waits for the moment; false if the run ended before it.
	reach func(k *killCase) bool
}

type killCase struct {
	t       *testing.T
	tg      *target
	c       *child
	sock    string
	flag    string // the postpone flag file
	rows    int
	rnd     *rand.Rand
	blocker *sql.Tx
}

func (k *killCase) state(want string) func(childStatus) bool {
	return func(st childStatus) bool { return st.State == want }
}

func (k *killCase) pause(lo, hi time.Duration) {
	time.Sleep(lo + time.Duration(k.rnd.Int64N(int64(hi-lo))))
}

// blockThenRelease opens the blocker and lets the run go past its postponement.
func (k *killCase) blockThenRelease() {
	tx, err := k.tg.db.Begin()
	if err != nil {
		k.t.Fatal(err)
	}
	if _, err := tx.Exec(k.tg.block); err != nil {
		k.t.Fatal(err)
	}
	k.blocker = tx
	os.Remove(k.flag)
}

var killPhases = []killPhase{
	{name: "copying", reach: func(k *killCase) bool {
		ok := k.c.waitFor(k.t, k.sock, "a third of the copy", func(st childStatus) bool {
			return st.State == "copying" && st.RowsCopied >= int64(k.rows/3)
		})
		k.pause(250*time.Millisecond, 400*time.Millisecond) // past a checkpoint
		return ok
	}},
	{name: "applying", reach: func(k *killCase) bool {
		ok := k.c.waitFor(k.t, k.sock, "postponed", k.state("postponed"))
		k.pause(0, 500*time.Millisecond)
		return ok
	}},
	{name: "verifying", reach: func(k *killCase) bool {
		if !k.c.waitFor(k.t, k.sock, "postponed", k.state("postponed")) {
			return false
		}
		k.blockThenRelease()
		ok := k.c.waitFor(k.t, k.sock, "verifying", k.state("verifying"))
		k.pause(200*time.Millisecond, 1500*time.Millisecond)
		return ok
	}},
	{name: "cutting-over, blocked", skipChecksum: true, reach: func(k *killCase) bool {
		if !k.c.waitFor(k.t, k.sock, "postponed", k.state("postponed")) {
			return false
		}
		k.blockThenRelease()
		ok := k.c.waitFor(k.t, k.sock, "cutting-over", k.state("cutting-over"))
		k.pause(100*time.Millisecond, 2500*time.Millisecond)
		return ok
	}},
	{name: "cutting-over", reach: func(k *killCase) bool {
		if !k.c.waitFor(k.t, k.sock, "postponed", k.state("postponed")) {
			return false
		}
		os.Remove(k.flag)
		return k.c.waitFor(k.t, k.sock, "cutting-over", k.state("cutting-over"))
	}},
}

// TestKillNineThenResume kills hotswap with SIGKILL at each phase of a run
// (copy, apply, verification, cut-over blocked by a long transaction, the
// cut-over itself) under a write load, on both engines; then `--resume`
// must finish the migration. Throughout, the table is always there (the
// load never sees an error), and at the end every acknowledged write is in
// the new table, which has the new schema, and nothing of hotswap's is left
// but the old table.
func TestKillNineThenResume(t *testing.T) {
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	for _, newTarget := range []func(*testing.T) *target{mysqlTarget, postgresTarget} {
		for i, ph := range killPhases {
			tg := newTarget(t)
			t.Run(tg.engine+"/"+ph.name, func(t *testing.T) {
				runKillCase(t, tg, ph, rand.New(rand.NewPCG(uint64(seed), uint64(i))))
			})
		}
	}
}

func runKillCase(t *testing.T, tg *target, ph killPhase, rnd *rand.Rand) {
	const rows = 20000
	if _, err := tg.db.Exec(tg.create); err != nil {
		t.Fatal(err)
	}
	w, err := workload.New(tg.db, workload.Options{Table: "t", Workers: 2, Rate: 200, BigValueRatio: -1, Seed: rnd.Int64()})
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
	args := append([]string{"alter", "--table", "t", "--alter", tg.alter, "--execute", "--chunk-size", "200",
		"--checkpoint-interval", "200ms", "--cut-over-lock-timeout-seconds", "1", "--default-retries", "1000"}, tg.args...)
	// --nice-ratio slows the copy so that checkpoints fall inside it
	first := append(append([]string{}, args...), "--serve-socket-file", k.sock, "--postpone-cut-over-flag-file", k.flag, "--nice-ratio", "3")
	if ph.skipChecksum {
		first = append(first, "--skip-checksum")
	}
	k.c = startChild(t, tg.env, first...)
	killed := ph.reach(k)
	k.c.kill()
	if k.blocker != nil {
		k.blocker.Rollback()
	}
	if !killed {
		t.Logf("the run ended (exit %d) before the kill:\n%s", k.c.code, k.c.out.String())
	}
	var n int
	if err := tg.db.QueryRow("SELECT count(*) FROM t WHERE id = 1 OR id <> 1").Scan(&n); err != nil {
		t.Fatalf("after the kill the table is not readable: %v", err)
	}
	t.Logf("killed while %s; first run output:\n%s", ph.name, k.c.out.String())
	if killed || k.c.code != 0 {
		resumed := startChild(t, tg.env, append(args, "--resume")...)
		if code := resumed.wait(t, 4*time.Minute); code != 0 {
			t.Fatalf("the resume exited %d:\n%s", code, resumed.out.String())
		}
		t.Logf("resume output:\n%s", resumed.out.String())
		if ph.name == "copying" && !strings.Contains(resumed.out.String(), "rows up to key") {
			t.Errorf("killed mid-copy, the resume did not continue from a copy watermark:\n%s", resumed.out.String())
		}
	}
	time.Sleep(200 * time.Millisecond) // writes after the swap land in the new table
	st := w.Stop()
	if len(st.Errors) > 0 {
		t.Fatalf("the write load saw %d errors (first: %v): the table was not always there", len(st.Errors), st.Errors[0])
	}
	if err := w.Check(context.Background(), tg.db, "t"); err != nil {
		t.Fatalf("acknowledged writes missing after kill and resume: %v", err)
	}
	var extra int
	if err := tg.db.QueryRow("SELECT count(extra) FROM t").Scan(&extra); err != nil {
		t.Fatalf("the new table lacks the new column: %v", err)
	}
	if got := tg.leftovers(t); got != "_t_old" {
		t.Errorf("left behind: %s (want only the old table _t_old)", got)
	}
}
