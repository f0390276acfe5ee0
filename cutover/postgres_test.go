package cutover

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// pgLongIndex is 63 bytes, the longest name PostgreSQL keeps: "_old" does
// not fit after it.
var pgLongIndex = "t_lower_v_" + strings.Repeat("x", 53)

// pgCutOverFixture: t with a serial key, a unique index, a check constraint
// and a 63-byte index name, 100 rows; the shadow from LIKE ... INCLUDING ALL
// plus a column, holding the first 90; then 5 more rows in t that only the
// catch-up copies.
var pgCutOverFixture = []string{
	"CREATE TABLE t (id serial PRIMARY KEY, v text NOT NULL CONSTRAINT v_nonempty CHECK (v <> ''))",
	"CREATE UNIQUE INDEX t_v_uniq ON t (v)",
	"CREATE INDEX " + pgLongIndex + " ON t (lower(v))",
	"INSERT INTO t (v) SELECT 'v' || g FROM generate_series(1, 100) g",
	"CREATE TABLE _t_new (LIKE t INCLUDING ALL)",
	"ALTER TABLE _t_new ADD COLUMN w int",
	"INSERT INTO _t_new (id, v) SELECT id, v FROM t WHERE id <= 90",
	"INSERT INTO t (v) SELECT 'late' || g FROM generate_series(1, 5) g",
}

func pgCutOver(db *sql.DB, catchUp func(ctx context.Context, lock *sql.Conn) error) *Postgres {
	return &Postgres{DB: db, Schema: "public", Table: "t", Shadow: "_t_new", Old: "_t_old",
		LockTimeout: 5 * time.Second, CatchUp: catchUp}
}

// pgCopyRest is a stand-in catch-up: copy what the shadow lacks, on the
// locked connection, after checking that it holds the table's lock.
func pgCopyRest(ctx context.Context, lock *sql.Conn) error {
	var held bool
	err := lock.QueryRowContext(ctx, `SELECT EXISTS (SELECT FROM pg_locks WHERE pid = pg_backend_pid()
		AND relation = 't'::regclass AND mode = 'AccessExclusiveLock' AND granted)`).Scan(&held)
	if err != nil || !held {
		return errors.Join(errors.New("catch-up without the table's lock"), err)
	}
	_, err = lock.ExecContext(ctx, "INSERT INTO _t_new (id, v) SELECT id, v FROM t ON CONFLICT (id) DO NOTHING")
	return err
}

// TestPostgresAttemptSwaps: the new table has the new column, every row,
// the old index and constraint names and the sequence (owned by it, so the
// old table can be dropped); the old one keeps its data under _t_old; an
// INSERT queued on t during the cut-over lands in the new table.
func TestPostgresAttemptSwaps(t *testing.T) {
	db := pgCutOverDB(t, pgCutOverFixture...)
	ctx := context.Background()
	queued := make(chan error, 1)
	err := pgCutOver(db, func(ctx context.Context, lock *sql.Conn) error {
		go func() {
			_, err := db.ExecContext(context.Background(), "INSERT INTO t (v) VALUES ('queued')")
			queued <- err
		}()
		if err := pgWaitQueued(ctx, lock); err != nil {
			return err
		}
		return pgCopyRest(ctx, lock)
	}).Attempt(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-queued; err != nil {
		t.Fatalf("queued insert: %v", err)
	}
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"SELECT count(*)::text || ' ' || count(w)::text FROM t", []string{"106 0"}},
		{"SELECT id::text FROM t WHERE v = 'queued'", []string{"106"}},
		{"SELECT count(*)::text FROM _t_old", []string{"105"}},
		{"SELECT indexname::text FROM pg_indexes WHERE tablename = 't'", []string{pgLongIndex, "t_pkey", "t_v_uniq"}},
		{"SELECT conname::text FROM pg_constraint WHERE conrelid = 't'::regclass", []string{"t_pkey", "v_nonempty"}},
		{"SELECT count(*)::text FROM pg_class WHERE relname = '_t_new'", []string{"0"}},
		{"SELECT pg_get_serial_sequence('public.t', 'id')", []string{"public.t_id_seq"}},
		{"SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = 't'::regclass", []string{"nextval('t_id_seq'::regclass)"}},
	} {
		if got := pgCutOverStrings(t, db, c.query); !slices.Equal(got, c.want) {
			t.Errorf("%s = %q, want %q", c.query, got, c.want)
		}
	}
	oldIndexes := pgCutOverStrings(t, db, "SELECT indexname::text FROM pg_indexes WHERE tablename = '_t_old'")
	if len(oldIndexes) != 3 || !slices.Contains(oldIndexes, "t_pkey_old") || !slices.Contains(oldIndexes, "t_v_uniq_old") {
		t.Errorf("indexes of _t_old: %q", oldIndexes)
	}
	if id := pgCutOverInt(t, db, "INSERT INTO t (v) VALUES ('next') RETURNING id"); id != 107 {
		t.Errorf("next id %d, want 107", id)
	}
	pgCutOverExec(t, db, "DROP TABLE _t_old")
	if id := pgCutOverInt(t, db, "INSERT INTO t (v) VALUES ('after drop') RETURNING id"); id != 108 {
		t.Errorf("next id after dropping _t_old: %d, want 108", id)
	}
}

// pgWaitQueued waits until a session other than lock's waits for a lock on t.
func pgWaitQueued(ctx context.Context, lock *sql.Conn) error {
	for {
		var waiting bool
		err := lock.QueryRowContext(ctx, `SELECT EXISTS (SELECT FROM pg_locks
			WHERE relation = 't'::regclass AND NOT granted AND pid <> pg_backend_pid())`).Scan(&waiting)
		if err != nil || waiting {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// TestPostgresAttemptIdentity: an identity column counts on from the old
// table's sequence, which the new table's takes the name of.
func TestPostgresAttemptIdentity(t *testing.T) {
	db := pgCutOverDB(t,
		"CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text)",
		"INSERT INTO t (v) SELECT 'v' || g FROM generate_series(1, 10) g",
		"CREATE TABLE _t_new (LIKE t INCLUDING ALL)",
		"INSERT INTO _t_new OVERRIDING SYSTEM VALUE SELECT * FROM t",
	)
	err := pgCutOver(db, func(context.Context, *sql.Conn) error { return nil }).Attempt(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ query, want string }{
		{"SELECT pg_get_serial_sequence('public.t', 'id')", "public.t_id_seq"},
		{"SELECT pg_get_serial_sequence('public._t_old', 'id')", "public.t_id_seq_old"},
	} {
		if got := pgCutOverStrings(t, db, c.query); !slices.Equal(got, []string{c.want}) {
			t.Errorf("%s = %q, want %q", c.query, got, c.want)
		}
	}
	if id := pgCutOverInt(t, db, "INSERT INTO t (v) VALUES ('x') RETURNING id"); id != 11 {
		t.Errorf("next id %d, want 11", id)
	}
	pgCutOverExec(t, db, "DROP TABLE _t_old")
	if id := pgCutOverInt(t, db, "INSERT INTO t (v) VALUES ('y') RETURNING id"); id != 12 {
		t.Errorf("next id after dropping _t_old: %d, want 12", id)
	}
}

// TestPostgresAttemptCatchUpError: a failing catch-up rolls everything back,
// its own writes included.
func TestPostgresAttemptCatchUpError(t *testing.T) {
	db := pgCutOverDB(t, pgCutOverFixture...)
	before := pgCutOverSnapshot(t, db)
	err := pgCutOver(db, func(ctx context.Context, lock *sql.Conn) error {
		if err := pgCopyRest(ctx, lock); err != nil {
			return err
		}
		return errors.New("stream broke")
	}).Attempt(context.Background())
	if err == nil || !strings.Contains(err.Error(), "stream broke") || !strings.Contains(err.Error(), "rolled back, nothing changed") {
		t.Fatalf("Attempt: %v", err)
	}
	pgCutOverUnchanged(t, db, before)
}

// TestPostgresAttemptRefusesBoundObjects: a view created on t (after
// preflight, say) stops the cut-over before the catch-up, for good.
func TestPostgresAttemptRefusesBoundObjects(t *testing.T) {
	db := pgCutOverDB(t, append(pgCutOverFixture, "CREATE VIEW v AS SELECT * FROM t")...)
	before := pgCutOverSnapshot(t, db)
	called := false
	err := pgCutOver(db, func(context.Context, *sql.Conn) error {
		called = true
		return nil
	}).Attempt(context.Background())
	if !errors.Is(err, ErrBoundObjects) || !strings.Contains(err.Error(), "view public.v") || called {
		t.Fatalf("Attempt: %v (catch-up called: %v)", err, called)
	}
	pgCutOverUnchanged(t, db, before)
}
