package migration_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/hotswap/hotswap/internal/workload"
	"github.com/hotswap/hotswap/migration"
)

type pgAlterCase struct {
	name    string
	create  []string // table t with a wl_ver bigint column for the workload
	alter   string
	key     []string
	renames map[string]string
	rows    int
}

var pgAlterCases = []pgAlterCase{
	{name: "add drop column and type changes",
		create: []string{"CREATE TABLE t (id bigint PRIMARY KEY, a int, b varchar(50), c numeric(10,2), d text, gone int, wl_ver bigint)"},
		alter:  "ALTER COLUMN a TYPE bigint, ALTER COLUMN b TYPE text, ALTER COLUMN c TYPE numeric(14,4), DROP COLUMN gone, ADD COLUMN e int DEFAULT 5",
		rows:   2000},
	{name: "rename column", // PostgreSQL takes RENAME COLUMN alone
		create: []string{"CREATE TABLE t (id int PRIMARY KEY, d text, v int, wl_ver bigint)"},
		alter:  "RENAME COLUMN d TO d2", renames: map[string]string{"d": "d2"}, rows: 1500},
	{name: "jsonb arrays timestamptz uuid bytea",
		create: []string{"CREATE TABLE t (id int PRIMARY KEY, j jsonb, arr int[], tags text[], ts timestamptz, u uuid, b bytea, flag boolean, wl_ver bigint)"},
		alter:  "ADD COLUMN n int, ALTER COLUMN ts TYPE timestamptz(3)", rows: 1500},
	{name: "toasted values",
		create: []string{"CREATE TABLE t (id int PRIMARY KEY, big text, small int, wl_ver bigint)"},
		alter:  "ADD COLUMN n int", rows: 300},
	{name: "composite primary key and index added",
		create: []string{"CREATE TABLE t (k1 int, k2 text, v int, s varchar(30), wl_ver bigint, PRIMARY KEY (k1, k2))"},
		alter:  "ADD COLUMN w int", key: []string{"k1", "k2"}, rows: 2000},
	{name: "unique constraint added on unique data", // u is unique already, so the workload keeps it so
		create: []string{"CREATE TABLE t (id bigint PRIMARY KEY, u int UNIQUE, v int, wl_ver bigint)"},
		alter:  "ADD CONSTRAINT t_uv_key UNIQUE (u, v), ADD COLUMN w int", rows: 1500},
	{name: "empty table",
		create: []string{"CREATE TABLE t (id int PRIMARY KEY, v int, wl_ver bigint)"},
		alter:  "ADD COLUMN w int", rows: 0},
}

// TestPostgresAlterUnderWorkloadPostponed runs each ALTER under the random
// workload, stops it while the cut-over is postponed, compares every row of
// source and shadow, then cuts over and compares again.
func TestPostgresAlterUnderWorkloadPostponed(t *testing.T) {
	for _, c := range pgAlterCases {
		t.Run(c.name, func(t *testing.T) {
			e := newPGEnv(t)
			e.exec(c.create...)
			w := newPGWorkload(t, e, c.rows, workload.Options{Workers: 3, Rate: 400})
			w.Start(context.Background())
			cfg := e.config("t", c.alter)
			cfg.PostponeFlagFile = flagFile(t)
			run := e.start(cfg)
			run.waitState(t, migration.StatePostponed)
			time.Sleep(300 * time.Millisecond) // changes keep flowing while postponed
			requireNoErrors(t, w.Stop())
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if err := run.m.CaughtUp(ctx); err != nil {
				t.Fatal(err)
			}
			key := c.key
			if key == nil {
				key = []string{"id"}
			}
			e.compare("t", run.m.ShadowName(), key, c.renames)
			os.Remove(cfg.PostponeFlagFile)
			run.wait(t)
			e.compare("_t_old", "t", key, c.renames)
			if err := w.Check(ctx, e.app, "t"); err != nil {
				t.Fatalf("acknowledged writes: %v", err)
			}
			e.requireNoSlotsOrPublications()
		})
	}
}

// TestPostgresWorkloadThroughCutOver keeps writing through the cut-over: no
// error at all, every acknowledged write in the new table.
func TestPostgresWorkloadThroughCutOver(t *testing.T) {
	e := newPGEnv(t)
	e.exec("CREATE TABLE t (id bigint PRIMARY KEY, a int, s varchar(64), j jsonb, ts timestamptz, wl_ver bigint)")
	w := newPGWorkload(t, e, 5000, workload.Options{Workers: 4, Rate: 500, BigValueRatio: -1})
	w.Start(context.Background())
	time.Sleep(200 * time.Millisecond)
	cfg := e.config("t", "ADD COLUMN extra text DEFAULT 'x', ALTER COLUMN a TYPE bigint")
	run := e.start(cfg)
	run.wait(t)
	cutDone := time.Now()
	time.Sleep(500 * time.Millisecond) // writes after the swap land in the new table
	st := w.Stop()
	requireNoErrors(t, st)
	if err := w.Check(context.Background(), e.app, "t"); err != nil {
		t.Fatalf("acknowledged writes missing from the new table: %v", err)
	}
	stall := w.MaxLatencyBetween(cutDone.Add(-5*time.Second), cutDone)
	t.Logf("workload: %d commits; worst write latency around the cut-over %s", st.Commits, stall)
	if stall > cfg.CutOverLockTimeout+2*time.Second {
		t.Errorf("writes stalled %s at cut-over, more than the lock timeout %s", stall, cfg.CutOverLockTimeout)
	}
	e.requireNoSlotsOrPublications()
}
