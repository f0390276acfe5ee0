package cutover

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/hotswap/hotswap/dialect/mysql"
	"github.com/hotswap/hotswap/internal/dbconn"
	"github.com/hotswap/hotswap/internal/testdb"
)

// setFixture is a database with tables whose shadows have one more column,
// side, which says how a row got there: 'old' copied from the old table (by
// the catch-up), 'new' written by the application after the swap.
type setFixture struct {
	db     *sql.DB // hotswap's pool (the cut-over's)
	admin  *sql.DB // the application's
	name   string
	tables []string
}

func newSetFixture(t *testing.T, tables ...string) *setFixture {
	t.Helper()
	srv := testdb.MySQLServer(t)
	name, admin := srv.NewDatabase(t)
	db, err := mysql.Open(context.Background(), dbconn.Config{Host: srv.Host, Port: srv.Port, User: srv.User, Password: srv.Password, Database: name})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := &setFixture{db: db, admin: admin, name: name, tables: tables}
	for _, tb := range tables {
		f.exec(t, fmt.Sprintf("CREATE TABLE %s (id BIGINT PRIMARY KEY, tx BIGINT NOT NULL)", tb),
			fmt.Sprintf("CREATE TABLE _%s_new (id BIGINT PRIMARY KEY, tx BIGINT NOT NULL, side VARCHAR(3) NOT NULL DEFAULT 'new')", tb))
	}
	return f
}

func (f *setFixture) exec(t *testing.T, stmts ...string) {
	t.Helper()
	for _, st := range stmts {
		if _, err := f.admin.Exec(st); err != nil {
			t.Fatalf("%s: %v", st, err)
		}
	}
}

// set is the cut-over of every table; each CatchUp copies the rows its
// shadow lacks (the writers are held: this is exact).
func (f *setFixture) set(lockTimeout time.Duration) *MySQLSet {
	s := &MySQLSet{DB: f.db, Database: f.name, LockTimeout: lockTimeout}
	for _, tb := range f.tables {
		copyRows := fmt.Sprintf("INSERT IGNORE INTO _%s_new (id, tx, side) SELECT id, tx, 'old' FROM %s", tb, tb)
		s.Tables = append(s.Tables, MySQLTable{Table: tb, Shadow: "_" + tb + "_new", Old: "_" + tb + "_old",
			CatchUp: func(ctx context.Context, _ *sql.Conn) error { _, err := f.db.ExecContext(ctx, copyRows); return err }})
	}
	return s
}

// write inserts one row into every table in one transaction, in the
// reverse of the set's order.
func (f *setFixture) write(tx int64) error {
	t, err := f.admin.Begin()
	if err != nil {
		return err
	}
	defer t.Rollback()
	for i := range f.tables { // in the reverse of the set's order: lockAll must not wait on them
		tb := f.tables[len(f.tables)-1-i]
		if _, err := t.Exec(fmt.Sprintf("INSERT INTO %s (id, tx) VALUES (?, ?)", tb), tx, tx); err != nil {
			return err
		}
	}
	return t.Commit()
}

// TestMySQLSetCutOver: three tables swapped in one RENAME while writers
// insert into all of them in every transaction: afterwards every table has
// its new definition, every acknowledged transaction is in every new table,
// and no transaction's rows were written into a mix of old and new tables
// (its rows have the same side in every table). The set's order is not the
// server's order of names, so the RENAME takes the tables' locks in
// another order than they were taken; and the writers write the tables in
// the reverse of the set's order, so a writer holding one table waits for
// another the cut-over has locked: the lock rounds must let go for it, and
// still get all tables within a few attempts.
func TestMySQLSetCutOver(t *testing.T) {
	f := newSetFixture(t, "orders_c", "orders_a", "orders_b")
	w := startSetWriter(4, f.write)
	defer w.halt()
	time.Sleep(300 * time.Millisecond) // rows before the cut-over, copied by the catch-up
	var err error
	for attempt := 0; attempt < 10; attempt++ {
		if err = f.set(3 * time.Second).Attempt(context.Background()); err == nil {
			break
		}
		t.Logf("attempt %d: %v", attempt+1, err)
	}
	if err != nil {
		t.Fatalf("cut-over: %v", err)
	}
	time.Sleep(300 * time.Millisecond) // rows after it, into the new tables
	w.checkSetRows(t, f.admin, f.tables)
	for _, tb := range f.tables {
		var n int
		if err := f.admin.QueryRow("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?", f.name, "_"+tb+"_old").Scan(&n); err != nil || n != 1 {
			t.Errorf("the old table _%s_old: %d (%v)", tb, n, err)
		}
	}
}

// TestMySQLSetBlockedRollsBack: a transaction holding one table of the set
// makes the attempt fail within the budget: no table is switched, no
// sentry is left, the other tables' writers were held and go on; once the
// blocker ends, the next attempt switches them all.
func TestMySQLSetBlockedRollsBack(t *testing.T) {
	f := newSetFixture(t, "items_a", "items_b")
	blocker, err := f.admin.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer blocker.Rollback()
	if _, err := blocker.Exec("INSERT INTO items_b (id, tx) VALUES (-1, -1)"); err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	err = f.set(2 * time.Second).Attempt(context.Background())
	took := time.Since(t0)
	if err == nil {
		t.Fatal("the cut-over went through a transaction holding items_b")
	}
	if took > 6*time.Second {
		t.Errorf("the failed attempt took %s with a 2s budget", took)
	}
	var names string
	if err := f.admin.QueryRow("SELECT COALESCE(GROUP_CONCAT(TABLE_NAME ORDER BY BINARY TABLE_NAME), '') FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?", f.name).Scan(&names); err != nil {
		t.Fatal(err)
	}
	if names != "_items_a_new,_items_b_new,items_a,items_b" {
		t.Fatalf("after the failed attempt: %s", names)
	}
	if _, err := f.admin.Exec("INSERT INTO items_a (id, tx) VALUES (1, 1)"); err != nil {
		t.Fatalf("items_a after the failed attempt: %v", err)
	}
	if err := blocker.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := f.set(2 * time.Second).Attempt(context.Background()); err != nil {
		t.Fatalf("the attempt after the blocker: %v", err)
	}
	for _, tb := range f.tables {
		var n int
		if err := f.admin.QueryRow("SELECT COUNT(side) FROM " + tb).Scan(&n); err != nil {
			t.Fatalf("%s has not its new definition: %v", tb, err)
		}
	}
}
