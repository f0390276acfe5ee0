package versions_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hotswap/hotswap/engine"
	"github.com/hotswap/hotswap/job"
	"github.com/hotswap/hotswap/versions"
)

// files is the test's directory: a table created and filled (200,000
// rows), an online ALTER of it (online from 1,000 rows), a small table
// altered directly and the big one in place (an ALTER the server makes
// instantly) with no down file, a data change of the big table run as
// background backfills (an UPDATE and a DELETE, and their down), and a
// statement with a semicolon and a comment inside.
func (tg *target) files() map[string]string {
	return map[string]string{
		"0001_items.up.sql": "-- the items\nCREATE TABLE items (id BIGINT PRIMARY KEY, v INT NOT NULL);\n" +
			"INSERT INTO items (id, v) SELECT seq, seq FROM " + tg.seq("200000") + ";\n" + fmt.Sprintf(tg.analyze, "items") + ";\n",
		"0001_items.down.sql": "DROP TABLE items;",
		"0002_note.up.sql":    "ALTER TABLE items ADD COLUMN note VARCHAR(20) DEFAULT 'n', " + tg.widen + ";",
		"0002_note.down.sql":  "ALTER TABLE items DROP COLUMN note;",
		"0003_tags.up.sql":    "CREATE TABLE tags (id INT PRIMARY KEY, name VARCHAR(20));\nALTER TABLE tags ADD COLUMN extra INT;\nALTER TABLE items ADD COLUMN flag INT;",
		"0004_fill.up.sql":    "UPDATE items SET note = 'bf' WHERE note = 'n';\n-- the tail goes\nDELETE FROM items WHERE id > 199500 AND id <= 200000;",
		"0004_fill.down.sql": "INSERT INTO items (id, v, note) SELECT seq, seq, 'n' FROM " + tg.seq("200000") + " WHERE seq > 199500;\n" +
			"UPDATE items SET note = 'n' WHERE note = 'bf';",
		"0005_tag.up.sql":   "INSERT INTO tags (id, name) VALUES (1, 'a;b'); /* a comment; with a semicolon */\n",
		"0005_tag.down.sql": "DELETE FROM tags WHERE id = 1;",
	}
}

// TestMigrateUpStatusDown: plan, up to a version, up the rest (the online
// ALTER under writes that never stop, every acknowledged write kept),
// status, down two versions, a down refused on a version without a down
// file, then up again; every step recorded in the history table.
func TestMigrateUpStatusDown(t *testing.T) {
	forEachTarget(t, func(t *testing.T, tg *target) {
		dir := writeDir(t, tg.files())
		cfg, out := tg.config(t, dir)
		if err := versions.Plan(ctx, cfg); err != nil || !strings.Contains(out.String(), "Version 3 (tags), 3 statement(s), IRREVERSIBLE") {
			t.Fatalf("plan: %v\n%s", err, out)
		}
		cfg.To = 1
		if err := versions.Up(ctx, cfg); err != nil {
			t.Fatalf("up --to 1: %v\n%s", err, out)
		}
		out.Reset()
		cfg.To = 0
		if err := versions.Plan(ctx, cfg); err != nil || !strings.Contains(out.String(), "online ALTER of items") {
			t.Fatalf("plan after version 1: %v\n%s", err, out)
		}
		w := startWriter(t, tg)
		cfg.Online.ChunkSize = 5000
		if err := versions.Up(ctx, cfg); err != nil {
			t.Fatalf("up: %v\n%s", err, out)
		}
		w.stopAndCheck(t, tg)
		if n := tg.scalar(t, "SELECT COUNT(*) FROM items WHERE id <= 199500 AND note = 'bf'"); n != 199500 {
			t.Fatalf("the online ALTER's new column, filled by the backfill: %d rows of 199,500", n)
		}
		if n := tg.scalar(t, "SELECT COUNT(*) FROM items WHERE id > 199500 AND id <= 200000"); n != 0 {
			t.Fatalf("the backfill's DELETE left %d rows", n)
		}
		if fill := tg.text(t, "SELECT steps FROM hotswap_migrations WHERE version = 4"); strings.Count(fill, `"method":"backfill"`) != 2 {
			t.Fatalf("version 4 ran otherwise than as two backfills: %s", fill)
		}
		if got := tg.text(t, "SELECT name FROM tags WHERE id = 1"); got != "a;b" {
			t.Fatalf("a semicolon in a string: %q", got)
		}
		steps := tg.text(t, "SELECT steps FROM hotswap_migrations WHERE version = 2")
		tags := tg.text(t, "SELECT steps FROM hotswap_migrations WHERE version = 3")
		if !strings.Contains(steps, `"method":"online"`) || !strings.Contains(tags, `"method":"direct"`) || !strings.Contains(tags, `"method":"instant"`) {
			t.Fatalf("how the statements ran: %s, %s", steps, tags)
		}
		out.Reset()
		if err := versions.Status(ctx, cfg); err != nil || !strings.Contains(out.String(), "Current version: 5 (tag); 0 pending") {
			t.Fatalf("status: %v\n%s", err, out)
		}
		cfg.Steps = 2
		if err := versions.Down(ctx, cfg); err != nil {
			t.Fatalf("down --steps 2: %v\n%s", err, out)
		}
		if n := tg.scalar(t, "SELECT COUNT(*) FROM tags"); n != 0 {
			t.Fatalf("version 5's down left %d tags", n)
		}
		if n := tg.scalar(t, "SELECT COUNT(*) FROM items WHERE note = 'bf' OR id > 199500 AND id <= 200000 AND v <> id"); n != 0 {
			t.Fatalf("version 4's down (two backfills: the rows back, the note reset) left %d rows otherwise", n)
		}
		if n := tg.scalar(t, "SELECT COUNT(*) FROM items WHERE id > 199500 AND id <= 200000"); n != 500 {
			t.Fatalf("version 4's down put back %d rows of 500", n)
		}
		cfg.Steps = 1
		err := versions.Down(ctx, cfg)
		var refused *job.Refused
		if !errors.As(err, &refused) || !strings.Contains(err.Error(), "irreversible") {
			t.Fatalf("down of a version without a down file: %v", err)
		}
		out.Reset()
		if err := versions.Up(ctx, cfg); err != nil || !strings.Contains(out.String(), "Version 5 (tag) applied") {
			t.Fatalf("up again: %v\n%s", err, out)
		}
		if n := tg.scalar(t, "SELECT COUNT(*) FROM hotswap_migrations WHERE state = 'applied'"); n != 5 {
			t.Fatalf("%d versions applied", n)
		}
	})
}

// TestMigrateDrift: a file changed after its version was applied, and a
// version the directory lacks, are drift: status lists them and fails, up
// is refused before anything runs; mark records a version by hand.
func TestMigrateDrift(t *testing.T) {
	forEachTarget(t, func(t *testing.T, tg *target) {
		dir := writeDir(t, map[string]string{"0001_a.up.sql": "CREATE TABLE a (id INT PRIMARY KEY);", "0002_b.up.sql": "CREATE TABLE b (id INT PRIMARY KEY);"})
		cfg, out := tg.config(t, dir)
		if err := versions.Up(ctx, cfg); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, "0001_a.up.sql"), []byte("CREATE TABLE a (id BIGINT PRIMARY KEY);"), 0o600)
		os.Remove(filepath.Join(dir, "0002_b.up.sql"))
		os.WriteFile(filepath.Join(dir, "0003_c.up.sql"), []byte("CREATE TABLE c (id INT PRIMARY KEY);"), 0o600)
		out.Reset()
		err := versions.Status(ctx, cfg)
		var drift *versions.ErrDrift
		if !errors.As(err, &drift) || len(drift.Drift) != 2 || !strings.Contains(out.String(), "changed after it was applied") ||
			!strings.Contains(out.String(), "has no file for it") {
			t.Fatalf("status with drift: %v\n%s", err, out)
		}
		if err := versions.Up(ctx, cfg); !job.IsRefused(err) {
			t.Fatalf("up with drift: %v", err)
		}
		if n := tg.scalar(t, "SELECT COUNT(*) FROM hotswap_migrations"); n != 2 {
			t.Fatalf("a refused up changed the history: %d rows", n)
		}
		if err := versions.Mark(ctx, cfg, 2, versions.StateReverted); err != nil {
			t.Fatal(err)
		}
		if err := versions.Mark(ctx, cfg, 1, versions.StateApplied); err != nil {
			t.Fatal(err)
		}
		if err := versions.Up(ctx, cfg); err != nil {
			t.Fatalf("up once the drift is recorded: %v\n%s", err, out)
		}
	})
}

// writer updates and inserts items while a version runs, and remembers
// what the server acknowledged.
type writer struct {
	stop  chan struct{}
	wg    sync.WaitGroup
	acked sync.Map // id -> v
	errs  atomic.Int64
	first atomic.Value
}

func startWriter(t *testing.T, tg *target) *writer {
	w := &writer{stop: make(chan struct{})}
	upd, ins := "UPDATE items SET v = ? WHERE id = ?", "INSERT INTO items (id, v) VALUES (?, ?)"
	if tg.engine == "postgres" {
		upd, ins = "UPDATE items SET v = $1 WHERE id = $2", "INSERT INTO items (id, v) VALUES ($1, $2)"
	}
	w.wg.Go(func() {
		for i := int64(1); ; i++ {
			select {
			case <-w.stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
			id, v := i%18000+1001, -i // not the ids version 4 deletes
			_, err := tg.db.Exec(upd, v, id)
			if err == nil {
				w.acked.Store(id, v)
				id = 1_000_000 + i
				if _, err = tg.db.Exec(ins, id, v); err == nil {
					w.acked.Store(id, v)
				}
			}
			if err != nil && w.errs.Add(1) == 1 {
				w.first.Store(err)
			}
		}
	})
	t.Cleanup(w.halt)
	return w
}

func (w *writer) halt() {
	select {
	case <-w.stop:
	default:
		close(w.stop)
	}
	w.wg.Wait()
}

func (w *writer) stopAndCheck(t *testing.T, tg *target) {
	t.Helper()
	w.halt()
	if n := w.errs.Load(); n > 0 {
		t.Fatalf("the writer saw %d errors (first: %v)", n, w.first.Load())
	}
	n := 0
	w.acked.Range(func(k, v any) bool {
		n++
		var got int64
		q := "SELECT v FROM items WHERE id = ?"
		if tg.engine == "postgres" {
			q = "SELECT v FROM items WHERE id = $1"
		}
		if err := tg.db.QueryRow(q, k).Scan(&got); err != nil || got != v.(int64) {
			t.Fatalf("items id %v: v=%d (%v), acknowledged %v", k, got, err, v)
		}
		return true
	})
	if n == 0 {
		t.Fatal("the writer acknowledged nothing")
	}
	t.Logf("%d acknowledged writes, all in items", n)
}

// TestMigrateStatusAndPlanChangeNothing: on a database never migrated,
// status and plan show every version pending and create nothing, not even
// the history table; an up while another migrate holds the database is
// refused, and runs once it has ended.
func TestMigrateStatusAndPlanChangeNothing(t *testing.T) {
	forEachTarget(t, func(t *testing.T, tg *target) {
		dir := writeDir(t, map[string]string{"0001_a.up.sql": "CREATE TABLE a (id INT PRIMARY KEY);"})
		cfg, out := tg.config(t, dir)
		if err := versions.Status(ctx, cfg); err != nil || !strings.Contains(out.String(), "Current version: none; 1 pending") {
			t.Fatalf("status: %v\n%s", err, out)
		}
		if err := versions.Plan(ctx, cfg); err != nil {
			t.Fatal(err)
		}
		q := "SELECT COUNT(*) FROM information_schema.tables WHERE table_name IN ('hotswap_migrations', 'a')"
		if n := tg.scalar(t, q); n != 0 {
			t.Fatalf("status or plan created %d tables", n)
		}
		other, err := engine.OpenDatabase(ctx, tg.engine, tg.conn, "")
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		if got, err := other.Lock(ctx); !got || err != nil {
			t.Fatalf("lock: %v %v", got, err)
		}
		if err := versions.Up(ctx, cfg); !job.IsRefused(err) || !strings.Contains(err.Error(), "another hotswap migrate") {
			t.Fatalf("up beside another migrate: %v", err)
		}
		other.Close()
		if err := versions.Up(ctx, cfg); err != nil {
			t.Fatalf("up once the other migrate ended: %v", err)
		}
	})
}

// TestMigrateFailedOnlineStatementThenUp: an online ALTER fails (a unique
// key the data breaks); the version is recorded failed with the reason and
// blocks the next; once the data is fixed, up continues that statement
// (from its checkpoint where the engine kept one, else afresh over the
// shadow it left) and then the next version.
func TestMigrateFailedOnlineStatementThenUp(t *testing.T) {
	forEachTarget(t, func(t *testing.T, tg *target) {
		dir := writeDir(t, map[string]string{
			"0001_items.up.sql": "CREATE TABLE items (id BIGINT PRIMARY KEY, v INT NOT NULL);\n" +
				"INSERT INTO items (id, v) SELECT seq, seq FROM " + tg.seq("3000") + ";\nUPDATE items SET v = 1 WHERE id = 2;\n" + fmt.Sprintf(tg.analyze, "items") + ";",
			"0002_unique.up.sql": "ALTER TABLE items ADD CONSTRAINT uq_v UNIQUE (v);",
			"0003_next.up.sql":   "CREATE TABLE nexts (id INT PRIMARY KEY);",
		})
		cfg, out := tg.config(t, dir)
		err := versions.Up(ctx, cfg)
		if err == nil || !strings.Contains(err.Error(), "version 2 (unique) failed at its statement 1") {
			t.Fatalf("up over duplicates: %v\n%s", err, out)
		}
		if got := tg.text(t, "SELECT state FROM hotswap_migrations WHERE version = 2"); got != versions.StateFailed {
			t.Fatalf("version 2 is %s", got)
		}
		if n := tg.scalar(t, "SELECT COUNT(*) FROM hotswap_migrations WHERE version = 3"); n != 0 {
			t.Fatal("a version after the failed one ran")
		}
		if _, err := tg.db.Exec("UPDATE items SET v = -2 WHERE id = 2"); err != nil {
			t.Fatal(err)
		}
		out.Reset()
		if err := versions.Up(ctx, cfg); err != nil {
			t.Fatalf("up once the data is fixed: %v\n%s", err, out)
		}
		if n := tg.scalar(t, "SELECT COUNT(*) FROM hotswap_migrations WHERE state = 'applied'"); n != 3 {
			t.Fatalf("%d versions applied\n%s", n, out)
		}
		if _, err := tg.db.Exec("INSERT INTO items (id, v) VALUES (9999, 5)"); err == nil {
			t.Fatal("the unique key of version 2 is not there")
		}
	})
}

// TestMigrateFailedBackfillThenUp: a data change of a big table runs as a
// background backfill and fails part way (a division by zero at one row: on
// MariaDB an error only in the server's own sql_mode, which the chunks run
// in, as the statement would in the user's client);
// the version is recorded failed, the rows before it changed; once the row
// is fixed, up resumes the backfill from its checkpoint (not from the
// table's start) and finishes it, every row changed once.
func TestMigrateFailedBackfillThenUp(t *testing.T) {
	forEachTarget(t, func(t *testing.T, tg *target) {
		dir := writeDir(t, map[string]string{
			"0001_items.up.sql": "CREATE TABLE items (id BIGINT PRIMARY KEY, v INT NOT NULL, w INT);\n" +
				"INSERT INTO items (id, v) SELECT seq, seq FROM " + tg.seq("20000") + ";\n" + fmt.Sprintf(tg.analyze, "items") + ";",
			"0002_fill.up.sql": "UPDATE items SET w = 100000 / (id - 15000) WHERE w IS NULL;",
		})
		cfg, out := tg.config(t, dir)
		cfg.To = 1
		if err := versions.Up(ctx, cfg); err != nil {
			t.Fatalf("up --to 1: %v\n%s", err, out)
		}
		cfg.To, cfg.Online.Threads = 0, 1
		err := versions.Up(ctx, cfg)
		if err == nil || !strings.Contains(err.Error(), "version 2 (fill) failed at its statement 1") {
			t.Fatalf("up over a division by zero: %v\n%s", err, out)
		}
		before := tg.scalar(t, "SELECT COUNT(*) FROM items WHERE w IS NOT NULL")
		if before == 0 || before >= 15000 {
			t.Fatalf("the failed backfill changed %d rows: it should have run in chunks up to the bad row", before)
		}
		if _, err := tg.db.Exec("DELETE FROM items WHERE id = 15000"); err != nil {
			t.Fatal(err)
		}
		out.Reset()
		if err := versions.Up(ctx, cfg); err != nil {
			t.Fatalf("up once the row is gone: %v\n%s", err, out)
		}
		if !strings.Contains(out.String(), "Resuming the backfill") {
			t.Fatalf("the second up did not resume from the checkpoint:\n%s", out)
		}
		if n := tg.scalar(t, "SELECT COUNT(*) FROM items WHERE w IS NULL OR abs(w - 100000.0 / (id - 15000)) > 1"); n != 0 {
			t.Fatalf("%d rows not changed as the statement says", n)
		}
		if got := tg.text(t, "SELECT state FROM hotswap_migrations WHERE version = 2"); got != versions.StateApplied {
			t.Fatalf("version 2 is %s", got)
		}
	})
}

// TestMigratePostponedCutOver: while the postpone flag file exists, the
// online statement keeps its shadow current and waits; the history shows
// the version postponed (status too), then applied once the file is gone.
func TestMigratePostponedCutOver(t *testing.T) {
	forEachTarget(t, func(t *testing.T, tg *target) {
		dir := writeDir(t, map[string]string{
			"0001_items.up.sql": "CREATE TABLE items (id BIGINT PRIMARY KEY, v INT NOT NULL);\n" +
				"INSERT INTO items (id, v) SELECT seq, seq FROM " + tg.seq("5000") + ";\n" + fmt.Sprintf(tg.analyze, "items") + ";",
			"0002_wide.up.sql": "ALTER TABLE items " + tg.widen + ";",
		})
		cfg, out := tg.config(t, dir)
		flag := filepath.Join(t.TempDir(), "postpone")
		if err := os.WriteFile(flag, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		cfg.Online.PostponeFlagFile = flag
		done := make(chan error, 1)
		go func() { done <- versions.Up(ctx, cfg) }()
		waitState(t, tg, 2, versions.StatePostponed, done)
		status, sout := tg.config(t, dir)
		if err := versions.Status(ctx, status); err != nil || !strings.Contains(sout.String(), "postponed") {
			t.Fatalf("status while the cut-over waits: %v\n%s", err, sout)
		}
		if err := os.Remove(flag); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil || !strings.Contains(out.String(), "postponed while") {
			t.Fatalf("up: %v\n%s", err, out)
		}
		if got := tg.text(t, "SELECT state FROM hotswap_migrations WHERE version = 2"); got != versions.StateApplied {
			t.Fatalf("version 2 is %s", got)
		}
	})
}
