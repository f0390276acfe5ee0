package mysql_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hotswap/hotswap/dialect/mysql"
	"github.com/hotswap/hotswap/internal/testdb"
)

// TestRestoreForeignKeyNamesFinishesAnyCrashedState: a crash can stop a
// cut-over anywhere after its RENAME; RestoreForeignKeyNames, run then (and
// again), ends with the keys on the new table under their own names and
// none on the old table, and KeysLeftAfterSwap lists what it will do.
func TestRestoreForeignKeyNamesFinishesAnyCrashedState(t *testing.T) {
	srv := testdb.MySQLServer(t)
	ctx := context.Background()
	key := func(table, name, col string) string {
		return "ALTER TABLE " + table + " ADD CONSTRAINT " + name + " FOREIGN KEY (" + col + ") REFERENCES p (id)"
	}
	for _, c := range []struct {
		name  string
		setup []string
		left  string
	}{
		{"right after the RENAME", []string{key("t", "a__hotswap", "a"), key("t", "t_ibfk_1", "b"), key("_t_old", "a", "a"), key("_t_old", "_t_old_ibfk_1", "b")},
			"_t_old.a,_t_old._t_old_ibfk_1,t.a__hotswap"},
		{"the old table's keys dropped", []string{key("t", "a__hotswap", "a"), key("t", "t_ibfk_1", "b")}, "t.a__hotswap"},
		{"a generated name the server kept", []string{key("t", "a__hotswap", "a"), key("t", "_t_new_ibfk_1", "b")}, "t.a__hotswap,t._t_new_ibfk_1"},
		{"already named", []string{key("t", "a", "a"), key("t", "t_ibfk_1", "b")}, ""},
		{"the old table dropped since", []string{key("t", "a__hotswap", "a"), key("t", "t_ibfk_1", "b"), "DROP TABLE _t_old"}, "t.a__hotswap"},
	} {
		t.Run(c.name, func(t *testing.T) {
			name, admin := srv.NewDatabase(t)
			base := []string{"CREATE TABLE p (id INT PRIMARY KEY)", "SET SESSION foreign_key_checks = 0",
				"CREATE TABLE t (id INT PRIMARY KEY, a INT, b INT)", "CREATE TABLE _t_old (id INT PRIMARY KEY, a INT, b INT)"}
			conn, err := admin.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			for _, s := range append(base, c.setup...) {
				if _, err := conn.ExecContext(ctx, s); err != nil {
					t.Fatalf("%s: %v", s, err)
				}
			}
			db, err := mysql.Open(ctx, mysql.Config{Host: srv.Host, Port: srv.Port, User: srv.User, Password: srv.Password, Database: name})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			left, err := mysql.KeysLeftAfterSwap(ctx, db, name, "t", "_t_new", "_t_old")
			if err != nil || strings.Join(left, ",") != c.left {
				t.Errorf("KeysLeftAfterSwap = %v, %v; want %s", left, err, c.left)
			}
			for range 2 {
				if _, err := mysql.RestoreForeignKeyNames(ctx, db, name, "t", "_t_new", "_t_old", time.Second); err != nil {
					t.Fatal(err)
				}
			}
			got := strings.Join(testdb.Strings(t, admin, `SELECT CONCAT(TABLE_NAME, '.', CONSTRAINT_NAME) FROM information_schema.REFERENTIAL_CONSTRAINTS
				WHERE CONSTRAINT_SCHEMA = DATABASE() ORDER BY 1`), ",")
			if got != "t.a,t.t_ibfk_1" {
				t.Errorf("keys: %s, want t.a,t.t_ibfk_1 only", got)
			}
			if left, err := mysql.KeysLeftAfterSwap(ctx, db, name, "t", "_t_new", "_t_old"); err != nil || len(left) != 0 {
				t.Errorf("after: KeysLeftAfterSwap = %v, %v; want nothing", left, err)
			}
		})
	}
}

// TestRestoreChildKeysFinishesAnyCrashedState: a crash in a cut-over can
// leave another table's key re-pointed at the shadow (before the RENAME)
// or at the new table under its temporary name (after it); run then, and
// again, RestoreChildKeys leaves it referencing the table, under its name.
func TestRestoreChildKeysFinishesAnyCrashedState(t *testing.T) {
	srv := testdb.MySQLServer(t)
	ctx := context.Background()
	for _, c := range []struct{ name, key string }{
		{"re-pointed at the shadow", "ALTER TABLE c ADD CONSTRAINT c_t__hotswap FOREIGN KEY (t_id) REFERENCES _t_new (id)"},
		{"carried by the RENAME", "ALTER TABLE c ADD CONSTRAINT c_t__hotswap FOREIGN KEY (t_id) REFERENCES t (id)"},
		{"already named", "ALTER TABLE c ADD CONSTRAINT c_t FOREIGN KEY (t_id) REFERENCES t (id)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			name, admin := srv.NewDatabase(t)
			for _, s := range []string{"CREATE TABLE t (id INT PRIMARY KEY)", "CREATE TABLE _t_new (id INT PRIMARY KEY)",
				"CREATE TABLE c (id INT PRIMARY KEY, t_id INT NOT NULL, KEY (t_id))", c.key} {
				if _, err := admin.Exec(s); err != nil {
					t.Fatalf("%s: %v", s, err)
				}
			}
			db, err := mysql.Open(ctx, mysql.Config{Host: srv.Host, Port: srv.Port, User: srv.User, Password: srv.Password, Database: name})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			left, err := mysql.KeysLeftAfterSwap(ctx, db, name, "t", "_t_new", "_t_old")
			if want := strings.Contains(c.key, "__hotswap"); err != nil || (len(left) == 1) != want {
				t.Errorf("KeysLeftAfterSwap = %v, %v; want the key listed: %v", left, err, want)
			}
			for range 2 {
				if _, err := mysql.RestoreChildKeys(ctx, db, name, "t", "_t_new", time.Second); err != nil {
					t.Fatal(err)
				}
			}
			got := strings.Join(testdb.Strings(t, admin, `SELECT CONCAT(TABLE_NAME, '.', CONSTRAINT_NAME, '->', REFERENCED_TABLE_NAME)
				FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()`), ",")
			if got != "c.c_t->t" {
				t.Errorf("keys: %s, want c.c_t->t", got)
			}
		})
	}
}
