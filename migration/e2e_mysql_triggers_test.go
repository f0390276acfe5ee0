package migration_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hotswap/hotswap/engine"
	"github.com/hotswap/hotswap/internal/testdb"
	"github.com/hotswap/hotswap/migration"
)

const trgFill = 20000

// trgSchema: t with two AFTER UPDATE triggers (their order matters), an
// AFTER INSERT one, and a BEFORE INSERT one that sets a column; each AFTER
// trigger writes an audit row. Their definer is hotswap's own user, which
// may create triggers for itself (the test server trusts function creators).
var trgSchema = []string{
	"CREATE TABLE t (id INT PRIMARY KEY, v INT NOT NULL, stamp VARCHAR(20) NULL) ENGINE=InnoDB",
	"CREATE TABLE audit (n BIGINT AUTO_INCREMENT PRIMARY KEY, id INT NOT NULL, op VARCHAR(10) NOT NULL) ENGINE=InnoDB",
	fmt.Sprintf("INSERT INTO t (id, v) SELECT seq, seq FROM seq_1_to_%d", trgFill),
	"CREATE DEFINER='hotswap'@'%' TRIGGER t_ins AFTER INSERT ON t FOR EACH ROW INSERT INTO audit (id, op) VALUES (NEW.id, 'ins')",
	"CREATE DEFINER='hotswap'@'%' TRIGGER t_upd AFTER UPDATE ON t FOR EACH ROW INSERT INTO audit (id, op) VALUES (NEW.id, 'upd')",
	"CREATE DEFINER='hotswap'@'%' TRIGGER t_upd2 AFTER UPDATE ON t FOR EACH ROW INSERT INTO audit (id, op) VALUES (NEW.id, CONCAT('upd', 2))",
	"CREATE DEFINER='hotswap'@'%' TRIGGER t_stamp BEFORE INSERT ON t FOR EACH ROW SET NEW.stamp = 'trg'",
}

// trgWriter inserts, updates and deletes rows of t, keeping what it expects
// t to hold and how many audited writes it made.
type trgWriter struct {
	e                *env
	mu               sync.Mutex
	rows             map[int]int // id -> v
	inserts, updates int
	errs             []error
}

func newTrgWriter(e *env) *trgWriter {
	w := &trgWriter{e: e, rows: map[int]int{}}
	for id := 1; id <= trgFill; id++ {
		w.rows[id] = id
	}
	return w
}

func (w *trgWriter) run(ctx context.Context, worker, n int) {
	next := trgFill + 1 + worker
	for i := 0; ctx.Err() == nil; i++ {
		var err error
		switch {
		case i%5 == 4:
			err = w.write("DELETE FROM t WHERE id = ?", rand.IntN(trgFill)+1, 0, nil)
		case i%3 == 2:
			id := rand.IntN(next) + 1
			err = w.write("UPDATE t SET v = v + 1 WHERE id = ?", id, 0, &w.updates)
		default:
			err = w.write("INSERT INTO t (id, v) VALUES (?, ?)", next, next, &w.inserts)
			next += n
		}
		if err != nil {
			w.mu.Lock()
			w.errs = append(w.errs, err)
			w.mu.Unlock()
		}
		time.Sleep(time.Millisecond)
	}
}

// write runs one statement; when it touched the row, the model follows
// and count (the statement's audited kind) goes up.
func (w *trgWriter) write(q string, id, v int, count *int) error {
	args := []any{id}
	if strings.HasPrefix(q, "INSERT") {
		args = append(args, v)
	}
	res, err := w.e.admin.Exec(q, args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case strings.HasPrefix(q, "INSERT"):
		w.rows[id] = v
	case strings.HasPrefix(q, "UPDATE"):
		w.rows[id]++
	default:
		delete(w.rows, id)
	}
	if count != nil {
		*count++
	}
	return nil
}

// TestMySQLTriggersFollowTheTable migrates a table with four triggers
// under writers: every row is what the application wrote, each audit
// trigger fired once per acknowledged write (none for hotswap's copy and
// resync), the BEFORE trigger stamped every insert, and the new table has
// the triggers under their own names, in their order, the old one none.
func TestMySQLTriggersFollowTheTable(t *testing.T) {
	e := newEnv(t)
	e.exec(trgSchema...)
	w := newTrgWriter(e)
	underWriters(3, w.run, func() {
		cfg := e.config("t", "ADD COLUMN note VARCHAR(20) NULL, MODIFY v BIGINT NOT NULL")
		cfg.ChunkSize = 500
		out, err := e.run(cfg)
		t.Logf("%s", out)
		if err != nil {
			t.Fatalf("migration failed: %v", err)
		}
	})
	if len(w.errs) > 0 {
		t.Fatalf("the application saw %d errors (first: %v)", len(w.errs), w.errs[0])
	}
	got := map[int]int{}
	rows, err := e.admin.Query("SELECT id, v FROM t")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, v int
		rows.Scan(&id, &v)
		got[id] = v
	}
	rows.Close()
	if len(got) != len(w.rows) {
		t.Errorf("t has %d rows, the application expects %d", len(got), len(w.rows))
	}
	for id, v := range w.rows {
		if got[id] != v {
			t.Fatalf("row %d: v=%d, the application expects %d", id, got[id], v)
		}
	}
	for op, want := range map[string]int{"ins": w.inserts, "upd": w.updates, "upd2": w.updates} {
		if n := e.scalar("SELECT COUNT(*) FROM audit WHERE op = ?", op); n != int64(want) {
			t.Errorf("audit has %d %q rows, the application made %d such writes (a trigger fired for hotswap's writes, or missed some)", n, op, want)
		}
	}
	if n := e.scalar(fmt.Sprintf("SELECT COUNT(*) FROM t WHERE id > %d AND (stamp IS NULL OR stamp <> 'trg')", trgFill)); n != 0 {
		t.Errorf("%d rows the application inserted were not stamped by the BEFORE INSERT trigger", n)
	}
	names := strings.Join(testdb.Strings(t, e.admin, "SELECT CONCAT(EVENT_OBJECT_TABLE, '.', TRIGGER_NAME, '#', ACTION_ORDER) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() ORDER BY 1"), ",")
	if want := "t.t_ins#1,t.t_stamp#1,t.t_upd#1,t.t_upd2#2"; names != want {
		t.Errorf("triggers after the run: %s, want %s (own names, same order, none left on the old table)", names, want)
	}
	t.Logf("application: %d rows, %d inserts, %d updates audited, 0 errors", len(w.rows), w.inserts, w.updates)
}

// TestMySQLTriggersPlanAndRefusals: the dry run lists the triggers; a
// trigger naming a column the ALTER drops, whose name is too long to be
// carried, or defined for another user than hotswap's (which it may not
// create triggers for), is refused with its name before anything changes.
func TestMySQLTriggersPlanAndRefusals(t *testing.T) {
	e := newEnv(t)
	e.exec(trgSchema...)
	dry := e.config("t", "ADD COLUMN note VARCHAR(20) NULL")
	dry.Execute = false
	out, err := e.run(dry)
	if err != nil || !strings.Contains(out, "Trigger t_stamp (BEFORE INSERT): moved to the new table at the cut-over") {
		t.Errorf("the dry run does not list the triggers (%v):\n%s", err, out)
	}
	long := strings.Repeat("x", 56)
	for _, c := range []struct{ setup, alter, want string }{
		{"", "DROP COLUMN stamp", "trigger t_stamp cannot be carried to the new table: create trigger t_stamp on " + e.db + "._t_new: Error 1054 (42S22): Unknown column 'stamp' in 'NEW': its body names a column the ALTER drops or renames"},
		{"CREATE DEFINER='hotswap'@'%' TRIGGER " + long + " BEFORE DELETE ON t FOR EACH ROW SET @x = 1", "ADD COLUMN n2 INT", "trigger " + long + " on " + e.db + ".t: its name is longer than 55 characters"},
		{"DROP TRIGGER " + long + "; CREATE TRIGGER by_root BEFORE DELETE ON t FOR EACH ROW SET @x = 1", "ADD COLUMN n3 INT", "trigger by_root cannot be carried to the new table: create trigger by_root on " + e.db + "._t_new: Error 1227 (42000): Access denied; you need (at least one of) the SUPER, SET USER privilege(s) for this operation: its definer root@127.0.0.1 is another user than hotswap's"},
	} {
		if c.setup != "" {
			e.exec(strings.Split(c.setup, "; ")...)
		}
		before := e.tables()
		_, err := e.run(e.config("t", c.alter))
		if !migration.IsRefused(err) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want refused: %s", c.alter, err, c.want)
		}
		if after := e.tables(); after != before {
			t.Errorf("%s: the refusal changed the tables: %s, was %s", c.alter, after, before)
		}
	}
	if n := e.scalar("SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() AND EVENT_OBJECT_TABLE <> 't'"); n != 0 {
		t.Errorf("%d triggers left on other tables than t", n)
	}
}

// TestMySQLSetCarriesTriggers switches t (four triggers, written by the
// application throughout) and u (one trigger) in one RENAME: each table's
// triggers follow it, named as before, and fire once per application write.
func TestMySQLSetCarriesTriggers(t *testing.T) {
	e := newEnv(t)
	e.exec(trgSchema...)
	e.exec("CREATE TABLE u (id INT PRIMARY KEY, w INT) ENGINE=InnoDB", "INSERT INTO u VALUES (1, 1)",
		"CREATE DEFINER='hotswap'@'%' TRIGGER u_ins AFTER INSERT ON u FOR EACH ROW INSERT INTO audit (id, op) VALUES (NEW.id, 'u')")
	w := newTrgWriter(e)
	underWriters(2, w.run, func() {
		cfg := e.config("", "")
		cfg.ChunkSize = 500
		_, done, out := startSet(t, cfg, []engine.TableAlter{
			{Table: "t", Clauses: "ADD COLUMN note VARCHAR(20) NULL"},
			{Table: "u", Clauses: "ADD COLUMN note VARCHAR(20) NULL"},
		})
		if err := <-done; err != nil {
			t.Fatalf("set failed: %v\n%s", err, out.String())
		}
	})
	if len(w.errs) > 0 {
		t.Fatalf("the application saw %d errors (first: %v)", len(w.errs), w.errs[0])
	}
	e.exec("INSERT INTO u (id, w) VALUES (2, 2)")
	for op, want := range map[string]int{"ins": w.inserts, "upd": w.updates, "u": 1} {
		if n := e.scalar("SELECT COUNT(*) FROM audit WHERE op = ?", op); n != int64(want) {
			t.Errorf("audit has %d %q rows, want %d", n, op, want)
		}
	}
	names := strings.Join(testdb.Strings(t, e.admin, "SELECT CONCAT(EVENT_OBJECT_TABLE, '.', TRIGGER_NAME) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() ORDER BY 1"), ",")
	if want := "t.t_ins,t.t_stamp,t.t_upd,t.t_upd2,u.u_ins"; names != want {
		t.Errorf("triggers after the run: %s, want %s", names, want)
	}
}

// TestMySQLCleanupNamesCarriedTriggers: a crash between the cut-over and
// the naming of the carried triggers, after the checkpoint was dropped,
// leaves them under their temporary names; cleanup shows that, and with
// --execute names them as before.
func TestMySQLCleanupNamesCarriedTriggers(t *testing.T) {
	e := newEnv(t)
	e.exec("CREATE TABLE t (id INT PRIMARY KEY)", "CREATE TABLE _t_old (id INT PRIMARY KEY)",
		"CREATE DEFINER='hotswap'@'%' TRIGGER t_ins__hotswap AFTER INSERT ON t FOR EACH ROW SET @n = 1",
		"CREATE DEFINER='hotswap'@'%' TRIGGER t_ins AFTER INSERT ON _t_old FOR EACH ROW SET @n = 1")
	for _, execute := range []bool{false, true} {
		cfg := e.config("t", "")
		cfg.Execute = execute
		out := &syncBuffer{}
		cfg.Out = out
		if err := migration.Cleanup(context.Background(), cfg); err != nil {
			t.Fatalf("cleanup (execute %v): %v\n%s", execute, err, out.String())
		}
		if !strings.Contains(out.String(), "temporary name t_ins__hotswap of trigger t_ins on "+e.db+".t") {
			t.Errorf("cleanup (execute %v) does not show the trigger's temporary name:\n%s", execute, out.String())
		}
	}
	names := strings.Join(testdb.Strings(t, e.admin, "SELECT CONCAT(EVENT_OBJECT_TABLE, '.', TRIGGER_NAME) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() ORDER BY 1"), ",")
	if names != "t.t_ins" {
		t.Errorf("triggers after cleanup --execute: %s, want t.t_ins", names)
	}
}
