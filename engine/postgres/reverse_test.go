package postgres

import (
	"context"
	"database/sql"
	"io"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/hotswap/hotswap/applier"
	"github.com/hotswap/hotswap/engine"
	"github.com/hotswap/hotswap/internal/dbconn"
	"github.com/hotswap/hotswap/internal/testdb"
	"github.com/rs/zerolog"
)

func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

const revTestAlter = "ADD COLUMN extra int NOT NULL DEFAULT 7, DROP COLUMN legacy, ALTER COLUMN v TYPE bigint"

// revTestSpec is a run on public.t of a fresh database with a revert window.
func revTestSpec(t *testing.T) (engine.Spec, *sql.DB) {
	t.Helper()
	p := testdb.PostgresServer(t)
	name, _ := p.NewDatabase(t)
	db, err := sql.Open("pgx", p.DSN(name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return engine.Spec{Conn: dbconn.Config{Host: p.Host, Port: p.Port, User: p.User, Password: p.Password, Database: name},
		Schema: "public", Table: "t", TableName: "public.t", Alter: revTestAlter, Execute: true,
		RevertWindow: time.Minute, CutOverLockTimeout: 5 * time.Second, Threads: 1,
		Log: zerolog.Nop(), Out: io.Discard}, db
}

func revTestExec(t *testing.T, db *sql.DB, stmts ...string) {
	t.Helper()
	for _, st := range stmts {
		if _, err := db.Exec(st); err != nil {
			t.Fatalf("%s: %v", st, err)
		}
	}
}

func revTestCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// revTestRun runs a stream into a new applier until stop is called.
func revTestRun(t *testing.T, run func(context.Context, applier.Sink) error, resync applier.ResyncFunc) (*applier.Applier, func()) {
	t.Helper()
	a := applier.New(resync, applier.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	errs := make(chan error, 2)
	go func() { errs <- run(ctx, a) }()
	go func() { errs <- a.Run(ctx) }()
	return a, func() {
		cancel()
		for range 2 {
			if err := <-errs; err != nil && ctx.Err() == nil {
				t.Errorf("stream or applier: %v", err)
			}
		}
	}
}

// revTestSettle waits until the stream has read everything committed and
// the applier has resynced it.
func revTestSettle(t *testing.T, ctx context.Context, caughtUp func(context.Context) error, a *applier.Applier) {
	t.Helper()
	if err := caughtUp(ctx); err != nil {
		t.Fatal(err)
	}
	mark := a.Mark()
	for !a.Covered(mark) {
		if ctx.Err() != nil {
			t.Fatal("applier did not settle")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestReverseWindowResumesAndReverts drives the engine as the runner does:
// migration with a revert window, writes in the window (the dropped column
// kept for updated rows, its default for new ones), a checkpoint, a crash,
// more writes, a --resume that continues the window from the checkpoint,
// the revert (the table has its old definition and index names again), and
// the release: no slot or publication is left.
func TestReverseWindowResumesAndReverts(t *testing.T) {
	spec, db := revTestSpec(t)
	revTestExec(t, db, "CREATE TABLE t (id bigint PRIMARY KEY, v int NOT NULL, legacy varchar(20) NOT NULL DEFAULT 'none')",
		"CREATE INDEX t_v_idx ON t (v)",
		"INSERT INTO t SELECT g, g, 'L' || g FROM generate_series(1, 10) g")
	indexes := testdb.Strings(t, db, "SELECT indexname::text FROM pg_indexes WHERE tablename = 't' ORDER BY 1")
	ctx := revTestCtx(t)

	e := New(spec).(*Engine)
	if err := e.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	plan, err := e.Preflight(ctx)
	if err != nil || plan.Reverted != "_t_rev" {
		t.Fatalf("preflight: %+v, %v", plan, err)
	}
	if _, err := e.PrepareShadow(ctx); err != nil {
		t.Fatal(err)
	}
	if err := e.CreateCheckpoint(ctx); err != nil {
		t.Fatal(err)
	}
	if err := e.StartStream(ctx); err != nil {
		t.Fatal(err)
	}
	src, resync := e.RowSync()
	fwd, stopFwd := revTestRun(t, e.RunStream, resync)
	e.Attach(fwd)
	if _, _, err := src.CopyRange(ctx, nil, nil); err != nil {
		t.Fatal(err)
	}
	revTestExec(t, db, "UPDATE t SET v = 100 WHERE id = 1") // before the cut-over: streamed forward
	if err := e.PrepareReverse(ctx); err != nil {
		t.Fatal(err)
	}
	revTestExec(t, db, "UPDATE t SET v = 200 WHERE id = 2") // the forward applier writes it into the shadow: skipped back
	if err := e.CutOverAttempt(ctx); err != nil {
		t.Fatal(err)
	}
	stopFwd()
	rev, err := e.Reverse(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a, stop := revTestRun(t, rev.RunStream, rev.Resync())
	rev.Attach(a)
	revTestExec(t, db, "UPDATE t SET v = 300 WHERE id = 3", "INSERT INTO t (id, v) VALUES (11, 11)", "DELETE FROM t WHERE id = 4")
	revTestSettle(t, ctx, rev.CaughtUp, a)
	pos := rev.RestartPosition()
	rev.Checkpointed(pos)
	if err := e.SaveCheckpoint(ctx, spec.Alter, `{"window": true}`); err != nil {
		t.Fatal(err)
	}
	cut := rev.Position()
	stop()
	e.Close(true) // the server "went away": the slot stays for --resume

	revTestExec(t, db, "UPDATE t SET v = 500 WHERE id = 5", "INSERT INTO t (id, v) VALUES (12, 12)", "UPDATE t SET id = 60 WHERE id = 6")
	spec.Resume = true
	e2 := New(spec).(*Engine)
	defer e2.Close(false)
	if err := e2.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	if plan, err := e2.Preflight(ctx); err != nil || !plan.ResumeDone {
		t.Fatalf("preflight of the resume: %+v, %v", plan, err)
	}
	rev2, err := e2.ResumeReverse(ctx, cut, pos)
	if err != nil {
		t.Fatal(err)
	}
	a2, stop2 := revTestRun(t, rev2.RunStream, rev2.Resync())
	rev2.Attach(a2)
	revTestSettle(t, ctx, rev2.CaughtUp, a2)
	want := []string{"1 100 L1", "2 200 L2", "3 300 L3", "5 500 L5", "7 7 L7", "8 8 L8", "9 9 L9", "10 10 L10",
		"11 11 none", "12 12 none", "60 6 none"}
	got := testdb.Strings(t, db, "SELECT concat_ws(' ', id, v, legacy) FROM _t_old ORDER BY id")
	if !slices.Equal(got, want) {
		t.Fatalf("old table in the window: %q, want %q", got, want)
	}
	if err := rev2.CutOverAttempt(ctx); err != nil {
		t.Fatal(err)
	}
	stop2()
	if err := rev2.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if got := testdb.Strings(t, db, "SELECT indexname::text FROM pg_indexes WHERE tablename = 't' ORDER BY 1"); !slices.Equal(got, indexes) {
		t.Errorf("indexes of t after the revert: %q, want %q", got, indexes)
	}
	if got := testdb.Strings(t, db, "SELECT concat_ws(' ', id, v, legacy) FROM t ORDER BY id"); !slices.Equal(got, want) {
		t.Errorf("t after the revert: %q, want %q", got, want)
	}
	left := testdb.Strings(t, db, "SELECT slot_name::text FROM pg_replication_slots WHERE slot_name LIKE 'hotswap_rev%' UNION ALL SELECT pubname::text FROM pg_publication WHERE pubname LIKE 'hotswap_rev%'")
	if len(left) > 0 {
		t.Errorf("left after Release: %q", left)
	}
}
