package cutover

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"
)

// pgSetTables creates each table and its shadow, with one more column,
// side: 'old' for a row the catch-up copied, 'new' for one the application
// wrote after the swap.
func pgSetTables(tables ...string) []string {
	var out []string
	for _, tb := range tables {
		out = append(out, fmt.Sprintf("CREATE TABLE %s (id bigint PRIMARY KEY, tx bigint NOT NULL)", tb),
			fmt.Sprintf("CREATE TABLE _%s_new (LIKE %s INCLUDING ALL)", tb, tb),
			fmt.Sprintf("ALTER TABLE _%s_new ADD COLUMN side text NOT NULL DEFAULT 'new'", tb))
	}
	return out
}

func pgSet(db *sql.DB, lockTimeout time.Duration, tables ...string) *PostgresSet {
	s := &PostgresSet{DB: db, Schema: "public", LockTimeout: lockTimeout}
	for _, tb := range tables {
		copyRows := fmt.Sprintf("INSERT INTO _%s_new (id, tx, side) SELECT id, tx, 'old' FROM %s ON CONFLICT (id) DO NOTHING", tb, tb)
		s.Tables = append(s.Tables, PostgresTable{Table: tb, Shadow: "_" + tb + "_new", Old: "_" + tb + "_old",
			CatchUp: func(ctx context.Context, lock *sql.Conn) error { _, err := lock.ExecContext(ctx, copyRows); return err }})
	}
	return s
}

// TestPostgresSetCutOver: three tables swapped in one transaction while
// writers insert into all of them in every transaction, in the reverse of
// the set's order (so a writer holding one table waits for one the cut-over
// locked: the lock rounds must let go for it): every table has its new
// definition, every acknowledged transaction is in every new table, no
// transaction's rows went into a mix of old and new tables, and no writer
// saw an error.
func TestPostgresSetCutOver(t *testing.T) {
	tables := []string{"orders_c", "orders_a", "orders_b"}
	db := pgCutOverDB(t, pgSetTables(tables...)...)
	w := startSetWriter(4, func(tx int64) error { return pgSetWrite(db, tables, tx) })
	defer w.halt()
	time.Sleep(300 * time.Millisecond)
	if err := pgSet(db, 5*time.Second, tables...).Attempt(context.Background()); err != nil {
		t.Fatalf("cut-over: %v", err)
	}
	time.Sleep(300 * time.Millisecond)
	w.checkSetRows(t, db, tables)
	for _, tb := range tables {
		if pgCutOverInt(t, db, "SELECT count(*) FROM pg_class WHERE relname = $1", "_"+tb+"_old") != 1 {
			t.Errorf("no old table _%s_old", tb)
		}
	}
}

func pgSetWrite(db *sql.DB, tables []string, tx int64) error {
	t, err := db.Begin()
	if err != nil {
		return err
	}
	defer t.Rollback()
	for i := range tables { // in the reverse of the set's order
		tb := tables[len(tables)-1-i]
		if _, err := t.Exec(fmt.Sprintf("INSERT INTO %s (id, tx) VALUES ($1, $2)", tb), tx, tx); err != nil {
			return err
		}
	}
	return t.Commit()
}

// TestPostgresSetBlockedRollsBack: a transaction holding one table of the
// set makes the attempt roll back within the budget, no table switched;
// once it ends, the next attempt switches them all.
func TestPostgresSetBlockedRollsBack(t *testing.T) {
	tables := []string{"items_a", "items_b"}
	db := pgCutOverDB(t, pgSetTables(tables...)...)
	blocker, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer blocker.Rollback()
	if _, err := blocker.Exec("INSERT INTO items_b (id, tx) VALUES (-1, -1)"); err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	err = pgSet(db, time.Second, tables...).Attempt(context.Background())
	if err == nil || time.Since(t0) > 4*time.Second {
		t.Fatalf("the cut-over through a transaction holding items_b: %v after %s", err, time.Since(t0))
	}
	if got := pgCutOverStrings(t, db, "SELECT relname::text FROM pg_class WHERE relname LIKE '%items%' AND relkind = 'r'"); fmt.Sprint(got) != "[_items_a_new _items_b_new items_a items_b]" {
		t.Fatalf("after the failed attempt: %v", got)
	}
	if err := blocker.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := pgSet(db, time.Second, tables...).Attempt(context.Background()); err != nil {
		t.Fatalf("the attempt after the blocker: %v", err)
	}
	for _, tb := range tables {
		pgCutOverInt(t, db, "SELECT count(side) FROM "+tb)
	}
}
