package binlog

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hotswap/hotswap/dialect/postgres"
	"github.com/hotswap/hotswap/internal/testdb"
	"github.com/jackc/pglogrepl"
)

func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

// recordSink keeps every key it is given, and the transaction announced
// before them, in order.
type recordSink struct {
	mu   sync.Mutex
	keys [][]any
	xids []uint32 // xid of each key, from OnTxn
	xid  uint32
}

func (r *recordSink) Add(_ context.Context, keys [][]any) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, k := range keys {
		r.keys = append(r.keys, k)
		r.xids = append(r.xids, r.xid)
	}
	return nil
}

func (r *recordSink) onTxn(xid uint32) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.xid = xid
}

// take returns and forgets the keys received so far, with their xids.
func (r *recordSink) take() ([][]any, []uint32) {
	r.mu.Lock()
	defer r.mu.Unlock()
	k, x := r.keys, r.xids
	r.keys, r.xids = nil, nil
	return k, x
}

// pgStream is a running stream on a fresh database, as the hotswap role.
type pgStream struct {
	db, slot, pub string
	admin, app    *sql.DB // superuser, hotswap role
	stream        *PostgresStream
	sink          *recordSink
	runErr        chan error
	ran           bool // runErr was read into err
	err           error
	closed        bool
	wantRunErr    bool // the test expects Run to fail
}

// runResult waits (bounded) for Run to return and gives its error.
func (s *pgStream) runResult(t *testing.T) error {
	t.Helper()
	if !s.ran {
		select {
		case s.err = <-s.runErr:
			s.ran = true
		case <-time.After(10 * time.Second):
			t.Fatal("Run did not return")
		}
	}
	return s.err
}

// startPgStream creates the database and setup's tables (as the hotswap
// role), a publication of table public.<table>, and runs a stream on it.
// Cleanup closes the stream and drops slot and publication.
func startPgStream(t *testing.T, table string, setup ...string) *pgStream {
	t.Helper()
	p := testdb.PostgresServer(t)
	name, admin := p.NewDatabase(t)
	app, err := sql.Open("pgx", p.DSN(name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = app.Close() })
	execAll(t, app, setup...)
	ctx := testCtx(t)
	s := &pgStream{db: name, slot: name + "_slot", pub: name + "_pub", admin: admin, app: app,
		sink: &recordSink{}, runErr: make(chan error, 1)}
	if err := postgres.CreatePublication(ctx, app, s.pub, "public", table); err != nil {
		t.Fatal(err)
	}
	keyCols, err := postgres.ReplicaIdentityKey(ctx, app, "public", table)
	if err != nil {
		t.Fatal(err)
	}
	s.stream = NewPostgresStream(PostgresConfig{ConnString: p.DSN(name), Slot: s.slot, Publication: s.pub,
		Schema: "public", Table: table, KeyColumns: keyCols, OnTxn: s.sink.onTxn})
	if _, err := s.stream.Start(ctx); err != nil {
		t.Fatal(err)
	}
	go func() { s.runErr <- s.stream.Run(context.Background(), s.sink) }()
	t.Cleanup(func() { s.close(t) })
	return s
}

// close ends the stream (Run must return nil) and drops slot and publication.
func (s *pgStream) close(t *testing.T) {
	t.Helper()
	if s.closed {
		return
	}
	s.closed = true
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.stream.Close(ctx); err != nil {
		t.Errorf("close stream: %v", err)
	}
	if err := s.runResult(t); err != nil && !s.wantRunErr {
		t.Errorf("Run: %v", err)
	}
	if err := postgres.DropSlot(ctx, s.app, s.slot); err != nil {
		t.Errorf("drop slot right after Close: %v", err)
	}
	if err := postgres.DropPublication(ctx, s.app, s.pub); err != nil {
		t.Errorf("drop publication: %v", err)
	}
}

// sync waits until the stream has handed over every change committed so far.
func (s *pgStream) sync(t *testing.T) pglogrepl.LSN {
	t.Helper()
	ctx := testCtx(t)
	lsn, err := postgres.CurrentLSN(ctx, s.app)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.stream.WaitFor(ctx, lsn.String()); err != nil {
		t.Fatal(err)
	}
	return lsn
}

// expect syncs and checks the keys received since the last expect.
func (s *pgStream) expect(t *testing.T, want ...[]any) []uint32 {
	t.Helper()
	s.sync(t)
	got, xids := s.sink.take()
	if fmt.Sprint(got) != fmt.Sprint(want) || !sameTypes(got, want) {
		t.Fatalf("keys = %#v, want %#v", got, want)
	}
	return xids
}

func sameTypes(got, want [][]any) bool {
	return slices.EqualFunc(got, want, func(g, w []any) bool {
		return slices.EqualFunc(g, w, func(a, b any) bool { return fmt.Sprintf("%T", a) == fmt.Sprintf("%T", b) })
	})
}

func execAll(t *testing.T, db *sql.DB, stmts ...string) {
	t.Helper()
	for _, st := range stmts {
		if _, err := db.Exec(st); err != nil {
			t.Fatalf("%s: %v", st, err)
		}
	}
}

// testCtx bounds one step of a test: every test ends by itself in seconds.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func key(vals ...any) []any { return vals }
