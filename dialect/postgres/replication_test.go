package postgres

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/jackc/pglogrepl"
)

// TestPublication: created for exactly the table (odd names quoted),
// dropped, and dropping again is not an error.
func TestPublication(t *testing.T) {
	_, db, _ := appDB(t, `CREATE TABLE "Odd ""Name""" (id int PRIMARY KEY)`, "CREATE TABLE other (id int PRIMARY KEY)")
	ctx := context.Background()
	const pub = `Pub "1"`
	if err := CreatePublication(ctx, db, pub, "public", `Odd "Name"`); err != nil {
		t.Fatal(err)
	}
	var tables []string
	rows, err := db.Query("SELECT tablename FROM pg_publication_tables WHERE pubname = $1", pub)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	if len(tables) != 1 || tables[0] != `Odd "Name"` {
		t.Fatalf("publication tables = %q", tables)
	}
	for range 2 {
		if err := DropPublication(ctx, db, pub); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(t, db, "SELECT count(*) FROM pg_publication WHERE pubname = $1", pub); n != 0 {
		t.Fatalf("publication still there")
	}
}

// TestDropSlot: drops an inactive slot, does nothing for a missing one.
func TestDropSlot(t *testing.T) {
	name, db, _ := appDB(t)
	ctx := context.Background()
	slot := name + "_slot"
	if _, err := db.Exec("SELECT pg_create_logical_replication_slot($1, 'pgoutput')", slot); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := DropSlot(ctx, db, slot); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(t, db, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = $1", slot); n != 0 {
		t.Fatalf("slot still there")
	}
}

// TestCurrentLSN: past every commit even with synchronous_commit=off (where
// pg_current_wal_lsn() is not), and flushed at once.
func TestCurrentLSN(t *testing.T) {
	_, db, _ := appDB(t, "CREATE TABLE t (id int)")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var prev pglogrepl.LSN
	for range 3 {
		if _, err := conn.ExecContext(ctx, "SET synchronous_commit = off"); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.ExecContext(ctx, "INSERT INTO t VALUES (1)"); err != nil {
			t.Fatal(err)
		}
		var write pglogrepl.LSN
		if err := conn.QueryRowContext(ctx, "SELECT pg_current_wal_lsn()::text").Scan(&write); err != nil {
			t.Fatal(err)
		}
		lsn, err := CurrentLSN(ctx, conn)
		if err != nil {
			t.Fatal(err)
		}
		var flushed bool
		if err := conn.QueryRowContext(ctx, "SELECT pg_current_wal_flush_lsn() >= $1::text::pg_lsn", lsn.String()).Scan(&flushed); err != nil {
			t.Fatal(err)
		}
		if lsn <= prev || lsn < write || !flushed {
			t.Fatalf("CurrentLSN %s (previous %s, write position %s, flushed %v)", lsn, prev, write, flushed)
		}
		prev = lsn
	}
}

func count(t *testing.T, db *sql.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
