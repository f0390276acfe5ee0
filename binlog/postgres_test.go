package binlog

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hotswap/hotswap/dialect/postgres"
	"github.com/jackc/pglogrepl"
)

// TestPostgresStreamIntKey: each kind of change gives exactly its keys, a key
// update both, a rollback nothing; OnTxn names each transaction's xid.
func TestPostgresStreamIntKey(t *testing.T) {
	s := startPgStream(t, "items", "CREATE TABLE items (id int PRIMARY KEY, name text)")
	execAll(t, s.app, "INSERT INTO items VALUES (1, 'a'), (2, 'b'), (3, 'c')")
	s.expect(t, key(int64(1)), key(int64(2)), key(int64(3)))

	execAll(t, s.app, "UPDATE items SET name = 'x' WHERE id = 1")
	s.expect(t, key(int64(1)))
	execAll(t, s.app, "UPDATE items SET id = 10 WHERE id = 2")
	s.expect(t, key(int64(2)), key(int64(10)))
	execAll(t, s.app, "DELETE FROM items WHERE id = 3")
	s.expect(t, key(int64(3)))

	tx, err := s.app.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec("INSERT INTO items VALUES (99, 'rolled back')"); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	s.expect(t)

	xid := multiRowTxn(t, s)
	xids := s.expect(t, key(int64(20)), key(int64(21)), key(int64(20)), key(int64(1)))
	for i, x := range xids {
		if x != xid {
			t.Errorf("key %d came with xid %d, the transaction's is %d", i, x, xid)
		}
	}
}

// multiRowTxn changes several rows in one transaction and returns its xid.
func multiRowTxn(t *testing.T, s *pgStream) uint32 {
	t.Helper()
	tx, err := s.app.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for _, st := range []string{
		"INSERT INTO items VALUES (20, 'p')", "INSERT INTO items VALUES (21, 'q')",
		"UPDATE items SET name = 'r' WHERE id = 20", "DELETE FROM items WHERE id = 1",
	} {
		if _, err := tx.Exec(st); err != nil {
			t.Fatalf("%s: %v", st, err)
		}
	}
	var xid int64
	if err := tx.QueryRow("SELECT txid_current() % 4294967296").Scan(&xid); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return uint32(xid)
}

// TestPostgresStreamCompositeKey: an (int, text) key in key order, not table
// order, and a change of one of its parts.
func TestPostgresStreamCompositeKey(t *testing.T) {
	s := startPgStream(t, "pairs", "CREATE TABLE pairs (name text, n int, v int, PRIMARY KEY (n, name))")
	execAll(t, s.app, "INSERT INTO pairs VALUES ('a', 1, 0)", "UPDATE pairs SET v = 1")
	s.expect(t, key(int64(1), "a"), key(int64(1), "a"))
	execAll(t, s.app, "UPDATE pairs SET name = 'b'", "DELETE FROM pairs")
	s.expect(t, key(int64(1), "a"), key(int64(1), "b"), key(int64(1), "b"))
}

// TestPostgresStreamUUIDAndTextKeys: keys arrive in PostgreSQL's text form.
func TestPostgresStreamUUIDAndTextKeys(t *testing.T) {
	t.Run("uuid", func(t *testing.T) {
		s := startPgStream(t, "docs", "CREATE TABLE docs (id uuid PRIMARY KEY, body text)")
		execAll(t, s.app, "INSERT INTO docs VALUES ('A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', 'x')",
			"UPDATE docs SET id = '00000000-0000-0000-0000-000000000001'")
		s.expect(t, key("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
			key("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"), key("00000000-0000-0000-0000-000000000001"))
	})
	t.Run("text", func(t *testing.T) {
		s := startPgStream(t, "words", "CREATE TABLE words (w text PRIMARY KEY, n int)")
		execAll(t, s.app, "INSERT INTO words VALUES ('it''s ü', 1)", "UPDATE words SET n = 2", "DELETE FROM words")
		s.expect(t, key("it's ü"), key("it's ü"), key("it's ü"))
	})
}

// TestPostgresStreamToast: an update that leaves a TOASTed column alone sends
// it as 'unchanged'; the key must not depend on it, with DEFAULT or FULL
// replica identity.
func TestPostgresStreamToast(t *testing.T) {
	s := startPgStream(t, "blobs",
		"CREATE TABLE blobs (id int PRIMARY KEY, big text, n int)",
		"ALTER TABLE blobs ALTER big SET STORAGE EXTERNAL") // no compression: stored out of line for sure
	execAll(t, s.app, "INSERT INTO blobs SELECT 1, string_agg(md5(random()::text), ''), 0 FROM generate_series(1, 3000)")
	assertToasted(t, s)
	execAll(t, s.app, "UPDATE blobs SET n = n + 1", "UPDATE blobs SET id = 2")
	s.expect(t, key(int64(1)), key(int64(1)), key(int64(1)), key(int64(2)))

	execAll(t, s.app, "ALTER TABLE blobs REPLICA IDENTITY FULL")
	execAll(t, s.app, "UPDATE blobs SET n = n + 1", "UPDATE blobs SET id = 3", "DELETE FROM blobs")
	s.expect(t, key(int64(2)), key(int64(2)), key(int64(3)), key(int64(3)))
}

// assertToasted checks the test really stores the value out of line.
func assertToasted(t *testing.T, s *pgStream) {
	t.Helper()
	var toast int64
	err := s.app.QueryRow(`SELECT pg_relation_size(reltoastrelid) FROM pg_class WHERE relname = 'blobs'`).Scan(&toast)
	if err != nil || toast == 0 {
		t.Fatalf("value not TOASTed (toast size %d): %v", toast, err)
	}
}

// TestPostgresStreamOtherTables: changes to tables outside the publication
// never arrive, nor those of another table the publication also holds.
func TestPostgresStreamOtherTables(t *testing.T) {
	s := startPgStream(t, "items",
		"CREATE TABLE items (id int PRIMARY KEY)",
		"CREATE TABLE other (id int PRIMARY KEY)",
		"CREATE TABLE also (id int PRIMARY KEY)")
	execAll(t, s.app, "ALTER PUBLICATION "+s.pub+" ADD TABLE also")
	execAll(t, s.app, "INSERT INTO other VALUES (1)", "INSERT INTO also VALUES (2)",
		"INSERT INTO items VALUES (3)", "UPDATE other SET id = 4", "DELETE FROM also")
	s.expect(t, key(int64(3)))
}

// TestPostgresStreamWaitForIdle: on an idle table WaitFor returns at once,
// for pg_current_wal_lsn() as for CurrentLSN and a logical message, Position
// passes the target, and the slot confirms it (a quiet table must not hold
// WAL back).
func TestPostgresStreamWaitForIdle(t *testing.T) {
	s := startPgStream(t, "items", "CREATE TABLE items (id int PRIMARY KEY)", "CREATE TABLE other (id int)")
	before := s.sync(t)
	query := func(q string) func() (pglogrepl.LSN, error) {
		return func() (lsn pglogrepl.LSN, err error) { return lsn, s.app.QueryRow(q).Scan(&lsn) }
	}
	for _, target := range []struct {
		name string
		lsn  func() (pglogrepl.LSN, error)
	}{
		{"pg_current_wal_lsn", query("SELECT pg_current_wal_lsn()::text")},
		{"logical message", query("SELECT pg_logical_emit_message(false, 'hotswap', '')::text")},
		{"transactional message", query("SELECT pg_logical_emit_message(true, 'hotswap', '')::text")},
		{"CurrentLSN", func() (pglogrepl.LSN, error) { return postgres.CurrentLSN(testCtx(t), s.app) }},
		{"pg_current_wal_lsn again", query("SELECT pg_current_wal_lsn()::text")},
	} {
		execAll(t, s.app, "INSERT INTO other SELECT generate_series(1, 1000)") // WAL moves, the table does not
		lsn, err := target.lsn()
		if err != nil {
			t.Fatalf("%s: %v", target.name, err)
		}
		waitIdle(t, s, target.name, lsn)
	}
	if s.stream.Position() <= before {
		t.Errorf("Position did not move past %s while WAL grew", before)
	}
	waitConfirmed(t, s, s.stream.Position())
	s.expect(t)
}

// waitIdle checks WaitFor(lsn) returns within a second and Position passed lsn.
func waitIdle(t *testing.T, s *pgStream, what string, lsn pglogrepl.LSN) {
	t.Helper()
	start := time.Now()
	if err := s.stream.WaitFor(testCtx(t), lsn.String()); err != nil {
		t.Fatalf("WaitFor(%s %s): %v", what, lsn, err)
	}
	d := time.Since(start)
	if d > time.Second {
		t.Errorf("WaitFor(%s %s) on an idle table took %s", what, lsn, d)
	}
	if pos := s.stream.Position(); pos < lsn {
		t.Fatalf("Position %s < %s (%s) after WaitFor", pos, lsn, what)
	}
	t.Logf("WaitFor(%s %s) took %s", what, lsn, d.Round(time.Millisecond))
}

// waitConfirmed waits for the slot's confirmed_flush_lsn to reach lsn.
func waitConfirmed(t *testing.T, s *pgStream, lsn pglogrepl.LSN) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		var confirmed pglogrepl.LSN
		err := s.admin.QueryRow("SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = $1", s.slot).Scan(&confirmed)
		if err != nil {
			t.Fatal(err)
		}
		if confirmed >= lsn {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("slot confirmed %s, stream is at %s", confirmed, lsn)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestPostgresStreamCleanup: after Close, dropping slot and publication
// leaves nothing of the run on the server, and the stream refuses to wait.
func TestPostgresStreamCleanup(t *testing.T) {
	s := startPgStream(t, "items", "CREATE TABLE items (id int PRIMARY KEY)")
	s.close(t)
	var n int
	err := s.admin.QueryRow(`SELECT (SELECT count(*) FROM pg_replication_slots WHERE slot_name = $1)
		+ (SELECT count(*) FROM pg_publication WHERE pubname = $2)`, s.slot, s.pub).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("%d of slot %s and publication %s left after cleanup", n, s.slot, s.pub)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := s.stream.WaitFor(ctx, (s.stream.Position() + 1).String()); err == nil || ctx.Err() != nil {
		t.Fatalf("WaitFor on a closed stream = %v, want an immediate error", err)
	}
	if err := postgres.DropSlot(ctx, s.app, s.slot); err != nil {
		t.Fatalf("DropSlot of a missing slot: %v", err)
	}
}

// TestPostgresStreamLargeTxn: a transaction larger than one batch reaches
// the sink whole, in several Adds, all under its xid.
func TestPostgresStreamLargeTxn(t *testing.T) {
	s := startPgStream(t, "items", "CREATE TABLE items (id int PRIMARY KEY)")
	execAll(t, s.app, "INSERT INTO items SELECT generate_series(1, 3*512+7)")
	s.sync(t)
	keys, xids := s.sink.take()
	if len(keys) != 3*512+7 || keys[0][0] != int64(1) || keys[len(keys)-1][0] != int64(3*512+7) {
		t.Fatalf("got %d keys, first %v, last %v", len(keys), keys[0], keys[len(keys)-1])
	}
	for _, x := range xids {
		if x != xids[0] || x == 0 {
			t.Fatalf("xids %d and %d in one transaction", xids[0], x)
		}
	}
}

// TestPostgresStreamForeignDDL: a column added to the table or a TRUNCATE by
// someone else stops the stream with the reason, and WaitFor reports it.
func TestPostgresStreamForeignDDL(t *testing.T) {
	for _, c := range []struct{ name, stmt, want string }{
		{"alter", "ALTER TABLE items ADD COLUMN extra int", "altered by another session"},
		{"truncate", "TRUNCATE items", "truncated by another session"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := startPgStream(t, "items", "CREATE TABLE items (id int PRIMARY KEY)")
			s.wantRunErr = true
			execAll(t, s.app, "INSERT INTO items VALUES (1)", c.stmt, "INSERT INTO items VALUES (2)")
			err := s.runResult(t)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Run = %v, want an error saying %q", err, c.want)
			}
			if err := s.stream.WaitFor(testCtx(t), (s.stream.Position() + 1).String()); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("WaitFor after the stream failed = %v", err)
			}
		})
	}
}
