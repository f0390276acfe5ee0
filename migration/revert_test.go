package migration_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hotswap/hotswap/control"
	"github.com/hotswap/hotswap/dialect/mysql"
	"github.com/hotswap/hotswap/dialect/postgres"
	"github.com/hotswap/hotswap/job"
	"github.com/hotswap/hotswap/migration"
)

// The table of the revert tests: legacy is dropped by the ALTER and must
// come back with its values; extra is added and left out by the revert.
var revertDDL = map[string]struct{ create, fill, alter string }{
	"mysql": {"CREATE TABLE t (id BIGINT PRIMARY KEY, v INT NOT NULL, legacy VARCHAR(20) NOT NULL DEFAULT 'none')",
		"INSERT INTO t SELECT seq, seq, CONCAT('L', seq) FROM seq_1_to_3000",
		"ADD COLUMN extra INT NOT NULL DEFAULT 7, DROP COLUMN legacy, MODIFY v BIGINT NOT NULL"},
	"postgres": {"CREATE TABLE t (id bigint PRIMARY KEY, v int NOT NULL, legacy varchar(20) NOT NULL DEFAULT 'none')",
		"INSERT INTO t SELECT g, g, 'L' || g FROM generate_series(1, 3000) g",
		"ADD COLUMN extra int NOT NULL DEFAULT 7, DROP COLUMN legacy, ALTER COLUMN v TYPE bigint"},
}

func revertConfig(t *testing.T, e engineEnv, window time.Duration) migration.Config {
	cfg := e.config("t", revertDDL[e.engine()].alter)
	cfg.RevertWindow = window
	cfg.ServeSocketFile = filepath.Join(t.TempDir(), "h.sock")
	return cfg
}

// TestRevertUnderWrites migrates under writers that insert, update, delete
// and move keys without pause, reverts in the window while they go on, and
// keeps writing after; the reverse stream's connection is killed in the
// window: the application sees no error, every acknowledged write is in the
// table it ended on, which has its old definition again, with the dropped
// column's values kept; the new table is kept as _t_rev.
func TestRevertUnderWrites(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engineEnv) {
		d := revertDDL[e.engine()]
		e.exec(d.create, d.fill)
		before := e.definition("t")
		w := startKeyWriter(t, e, 3000)
		time.Sleep(200 * time.Millisecond)
		cfg := revertConfig(t, e, 5*time.Minute)
		run := e.start(cfg)
		run.waitState(t, migration.StateRevertible)
		time.Sleep(500 * time.Millisecond)
		e.killStream(t)         // the reverse stream reconnects where it was
		time.Sleep(time.Second) // writes into the new table, streamed back
		st := run.m.Status()
		if st.RevertLeftSeconds <= 0 || st.RevertLeftSeconds > 300 {
			t.Errorf("status in the window: %.1f s left", st.RevertLeftSeconds)
		}
		if st.RevertRows == 0 {
			t.Errorf("no key went back into the old table during the window: %+v", st)
		}
		t0 := time.Now()
		reply, err := control.SendWait(context.Background(), cfg.ServeSocketFile, "revert")
		if err != nil {
			t.Fatalf("revert: %v (%s)\n%s", err, reply, run.out.String())
		}
		t.Logf("revert took %s; reverse lag before it %d ms", time.Since(t0), st.ReverseLagMS)
		run.wait(t)
		time.Sleep(500 * time.Millisecond) // writes after the swap back land in the old table
		w.stopAndCheck(t, "t")
		if got := e.definition("t"); got != before {
			t.Fatalf("after the revert t is not its old self:\n%s\nwant:\n%s", got, before)
		}
		w.requireKept(t, e, "t")
		if !strings.Contains(run.out.String(), "Reverted") || !strings.Contains(e.tables(), "_t_rev") {
			t.Fatalf("the revert is not reported, or _t_rev is missing (%s):\n%s", e.tables(), run.out.String())
		}
		e.requireNoStreamLeftovers()
	})
}

// TestRevertEqualsNewTable stops the writers in the window: after the revert
// the table equals the new one (_t_rev) row by row over the old columns.
func TestRevertEqualsNewTable(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engineEnv) {
		d := revertDDL[e.engine()]
		e.exec(d.create, d.fill)
		w := startKeyWriter(t, e, 3000)
		run := e.start(revertConfig(t, e, 5*time.Minute))
		run.waitState(t, migration.StateRevertible)
		time.Sleep(time.Second)
		w.halt()
		plan, err := run.m.RevertPlan()
		if err != nil || !strings.Contains(plan, "(kept) legacy") || !strings.Contains(plan, "(left out) extra") {
			t.Fatalf("revert plan: %v\n%s", err, plan)
		}
		t.Logf("revert plan:\n%s", plan)
		if err := run.m.Revert(); err != nil {
			t.Fatalf("revert: %v\n%s", err, run.out.String())
		}
		run.wait(t)
		w.stopAndCheck(t, "t")
		e.compareRows("t", "_t_rev", []string{"id"}, nil)
		w.requireKept(t, e, "t")
	})
}

// TestRevertWindowEnds lets a window end by finalize and another by its
// time: the migration stands, the old table is handled as without a window,
// nothing of the reverse stream is left, and revert is then refused. A
// third run reverts with --ok-to-drop-table: the new table is dropped.
func TestRevertWindowEnds(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engineEnv) {
		d := revertDDL[e.engine()]
		e.exec(d.create, d.fill)
		cfg := revertConfig(t, e, 5*time.Minute)
		run := e.start(cfg)
		run.waitState(t, migration.StateRevertible)
		if _, err := control.Send(context.Background(), cfg.ServeSocketFile, "finalize"); err != nil {
			t.Fatalf("finalize: %v", err)
		}
		run.wait(t)
		if err := run.m.Revert(); err == nil {
			t.Fatal("revert accepted after the window closed")
		}
		e.requireNoStreamLeftovers()
		requireScalars(t, e, scalarWant{"SELECT COUNT(*) FROM t WHERE extra = 7", 3000})
		if tables := e.tables(); tables != "_t_old,t" {
			t.Fatalf("tables after a finalized window: %s", tables)
		}

		e.exec("DROP TABLE _t_old")
		cfg = revertConfig(t, e, 2*time.Second)
		cfg.Alter = "ADD COLUMN more INT"
		cfg.OkToDropTable = true
		run = e.start(cfg)
		run.waitState(t, migration.StateRevertible)
		run.wait(t)
		e.requireNoStreamLeftovers()
		if tables := e.tables(); tables != "t" {
			t.Fatalf("tables after a window that ran out with --ok-to-drop-table: %s", tables)
		}

		cfg.Alter = "DROP COLUMN more"
		cfg.RevertWindow = 5 * time.Minute
		run = e.start(cfg)
		run.waitState(t, migration.StateRevertible)
		if err := run.m.Revert(); err != nil {
			t.Fatalf("revert: %v", err)
		}
		run.wait(t)
		if tables := e.tables(); tables != "t" || !strings.Contains(run.out.String(), "was dropped") {
			t.Fatalf("tables after a revert with --ok-to-drop-table: %s\n%s", tables, run.out.String())
		}
		requireScalars(t, e, scalarWant{"SELECT COUNT(more) FROM t", 0}, scalarWant{"SELECT COUNT(*) FROM t", 3000})
		e.requireNoStreamLeftovers()
	})
}

// TestRevertWindowStopsOnValueThatCannotGoBack writes, in the window, a
// value the old column cannot hold: the window stops saying why, the
// migration stands, nothing of the reverse stream is left, and a revert is
// refused; the old table is kept, as it was.
func TestRevertWindowStopsOnValueThatCannotGoBack(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engineEnv) {
		d := revertDDL[e.engine()]
		e.exec(d.create, d.fill)
		run := e.start(revertConfig(t, e, 5*time.Minute))
		run.waitState(t, migration.StateRevertible)
		e.exec("UPDATE t SET v = 10000000000 WHERE id = 42")
		run.wait(t)
		out := run.out.String()
		if !strings.Contains(out, "revert window stopped") || !strings.Contains(out, "42") {
			t.Fatalf("the window's stop does not say why:\n%s", out)
		}
		if err := run.m.Revert(); err == nil {
			t.Fatal("revert accepted after the window stopped")
		}
		requireScalars(t, e, scalarWant{"SELECT COUNT(*) FROM t WHERE v = 10000000000", 1},
			scalarWant{"SELECT COUNT(*) FROM _t_old WHERE v = 42", 1})
		e.requireNoStreamLeftovers()
	})
}

// TestRevertWindowRefusedWhenNewRowsCouldNotGoBack: an ALTER dropping a NOT
// NULL column without a default is refused with --revert-window before any
// change (a row inserted after the cut-over could not go back).
func TestRevertWindowRefusedWhenNewRowsCouldNotGoBack(t *testing.T) {
	create := map[string]string{
		"mysql":    "CREATE TABLE t (id BIGINT PRIMARY KEY, v INT NOT NULL, legacy VARCHAR(20) NOT NULL)",
		"postgres": "CREATE TABLE t (id bigint PRIMARY KEY, v int NOT NULL, legacy varchar(20) NOT NULL)",
	}
	forEachEngine(t, func(t *testing.T, e engineEnv) {
		e.exec(create[e.engine()])
		before := e.schemaOf("t")
		cfg := revertConfig(t, e, time.Minute)
		cfg.Alter = "DROP COLUMN legacy"
		_, err := e.run(cfg)
		var refused *job.Refused
		if !errors.As(err, &refused) || !strings.Contains(err.Error(), "legacy") || !strings.Contains(err.Error(), "default") {
			t.Fatalf("want a refusal naming legacy and its missing default, got %v", err)
		}
		if after := e.schemaOf("t"); after != before {
			t.Fatalf("a refused run changed the database:\n%s\nwant:\n%s", after, before)
		}
		e.requireNoStreamLeftovers()
	})
}

// TestResumeFindsTheRevertDone: a run killed after its revert but before it
// removed its checkpoint leaves the checkpoint of a window, the table with
// its old definition and the new one as _t_rev; --resume says the revert
// had completed, removes the checkpoint, and changes nothing else.
func TestResumeFindsTheRevertDone(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engineEnv) {
		d := revertDDL[e.engine()]
		e.exec(d.create, d.fill)
		cfg := revertConfig(t, e, 5*time.Minute)
		run := e.start(cfg)
		run.waitState(t, migration.StateRevertible)
		if err := run.m.Revert(); err != nil {
			t.Fatalf("revert: %v", err)
		}
		run.wait(t)
		before := e.definition("t")
		state := `{"copy_done":true,"window":{"cut":"0/1","stream":"0/1","until":"` + time.Now().Add(time.Hour).UTC().Format(time.RFC3339) + `"}}`
		if e.engine() == "mysql" {
			state = strings.ReplaceAll(state, "0/1", "binlog.000001:4")
		}
		saveCheckpoint(t, e, cfg.Alter, state)
		cfg.Resume = true
		out, err := e.run(cfg)
		if err != nil || !strings.Contains(out, "revert of") || !strings.Contains(out, "had completed") {
			t.Fatalf("resume after the revert: %v\n%s", err, out)
		}
		if got := e.tables(); got != "_t_rev,t" {
			t.Fatalf("tables after the resume: %s", got)
		}
		if got := e.definition("t"); got != before {
			t.Fatalf("the resume changed t:\n%s\nwant:\n%s", got, before)
		}
		e.requireNoStreamLeftovers()
	})
}

// saveCheckpoint writes the checkpoint table _t_chk with one state, as a run
// would have left it (on PostgreSQL as the role hotswap runs as: the
// application's).
func saveCheckpoint(t *testing.T, e engineEnv, alter, state string) {
	t.Helper()
	ctx := context.Background()
	var err error
	switch e := e.(type) {
	case *env:
		if err = mysql.CreateCheckpoint(ctx, e.admin, e.db, "_t_chk"); err == nil {
			err = mysql.SaveCheckpoint(ctx, e.admin, e.db, "_t_chk", alter, state)
		}
	case *pgEnv:
		if err = postgres.CreateCheckpoint(ctx, e.app, "public", "_t_chk"); err == nil {
			err = postgres.SaveCheckpoint(ctx, e.app, "public", "_t_chk", alter, state)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
}

// TestRevertBlockedKeepsTheWindowOpen: a transaction holding the table makes
// every swap-back attempt time out; the revert fails saying so, the table
// is as it was (the new one, every row), the window stays open, and once
// the transaction ends a second revert succeeds.
func TestRevertBlockedKeepsTheWindowOpen(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engineEnv) {
		d := revertDDL[e.engine()]
		e.exec(d.create, d.fill)
		cfg := revertConfig(t, e, 5*time.Minute)
		cfg.CutOverLockTimeout, cfg.DefaultRetries = time.Second, 2
		run := e.start(cfg)
		run.waitState(t, migration.StateRevertible)
		blocker, err := e.writer().BeginTx(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := blocker.Exec("UPDATE t SET v = v WHERE id = 1"); err != nil {
			t.Fatal(err)
		}
		err = run.m.Revert()
		if err == nil || !strings.Contains(err.Error(), "revert failed 2 times") {
			blocker.Rollback()
			t.Fatalf("a revert blocked by a transaction: %v", err)
		}
		if st := run.m.State(); st != migration.StateRevertible {
			t.Fatalf("after a failed revert the run is %s, want the window open", st)
		}
		if err := blocker.Rollback(); err != nil {
			t.Fatal(err)
		}
		requireScalars(t, e, scalarWant{"SELECT COUNT(*) FROM t WHERE extra = 7", 3000})
		if err := run.m.Revert(); err != nil {
			t.Fatalf("revert once the transaction ended: %v", err)
		}
		run.wait(t)
		requireScalars(t, e, scalarWant{"SELECT COUNT(*) FROM t WHERE legacy = CONCAT('L', id)", 3000})
		e.requireNoStreamLeftovers()
	})
}
