package cutover

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/hotswap/hotswap/dialect/mysql"
)

// TestMySQLSetFailedAttemptDropsShadowKeys: an attempt that fails after
// the keys were added to a shadow (its RENAME never gets the tables: a
// transaction holds the other table's shadow) drops them before it lets
// anything go: the shadow, behind its table, must not refuse the deletes
// of parents whose rows it still holds. The next attempt swaps the tables
// with the key on the new table and none on the old one.
func TestMySQLSetFailedAttemptDropsShadowKeys(t *testing.T) {
	f := newSetFixture(t, "fb")
	f.exec(t, "CREATE TABLE p (id INT PRIMARY KEY)", "INSERT INTO p VALUES (1), (2)",
		"CREATE TABLE fa (id BIGINT PRIMARY KEY, tx BIGINT NOT NULL, p_id INT NOT NULL, CONSTRAINT fa_p FOREIGN KEY (p_id) REFERENCES p (id))",
		"CREATE TABLE _fa_new (id BIGINT PRIMARY KEY, tx BIGINT NOT NULL, p_id INT NOT NULL, KEY (p_id))",
		"INSERT INTO fa VALUES (1, 1, 1)",
		"INSERT INTO _fa_new VALUES (1, 1, 1), (2, 2, 2)") // row 2: gone from fa, not yet from its shadow
	set := func() *MySQLSet {
		s := f.set(time.Second)
		s.Tables = append([]MySQLTable{{Table: "fa", Shadow: "_fa_new", Old: "_fa_old",
			CatchUp: func(context.Context, *sql.Conn) error { return nil },
			ForeignKeys: []mysql.ForeignKey{{Name: "fa_p", Columns: []string{"p_id"}, RefDatabase: f.name, RefTable: "p",
				RefColumns: []string{"id"}, OnDelete: "RESTRICT", OnUpdate: "RESTRICT"}}}}, s.Tables...)
		return s
	}
	blocker := failAttempt(t, f, set())
	defer blocker.Rollback()
	keys := func() string {
		var s string
		if err := f.admin.QueryRow(`SELECT COALESCE(GROUP_CONCAT(CONCAT(TABLE_NAME, '.', CONSTRAINT_NAME) ORDER BY 1), '')
			FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ?`, f.name).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	if got := keys(); got != "fa.fa_p" {
		t.Fatalf("keys after the failed attempt: %s, want fa.fa_p only", got)
	}
	if _, err := f.admin.Exec("DELETE FROM p WHERE id = 2"); err != nil {
		t.Errorf("a parent the table no longer references cannot be deleted after the failed attempt: %v", err)
	}
	if err := blocker.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := set().Attempt(context.Background()); err != nil {
		t.Fatalf("the attempt after the blocker: %v", err)
	}
	if got := keys(); got != "fa.fa_p__hotswap" {
		t.Errorf("keys after the swap: %s, want fa.fa_p__hotswap only (named by the run's end)", got)
	}
	if _, err := f.admin.Exec("DELETE FROM p WHERE id = 1"); err == nil {
		t.Error("a parent of a row of the new table was deleted: the key does not hold")
	}
}

// TestMySQLSetFailedAttemptRepointsChildrenBack: an attempt that fails
// after a child's key was re-pointed at the shadow makes it reference the
// table again, under its name, before the child is released; the next
// attempt leaves it referencing the new table, under its name.
func TestMySQLSetFailedAttemptRepointsChildrenBack(t *testing.T) {
	f := newSetFixture(t, "pa", "fb")
	f.exec(t, "CREATE TABLE ch (id INT PRIMARY KEY, pa_id BIGINT NOT NULL, CONSTRAINT ch_pa FOREIGN KEY (pa_id) REFERENCES pa (id))",
		"INSERT INTO pa (id, tx) VALUES (1, 1)", "INSERT INTO ch VALUES (1, 1)")
	set := func() *MySQLSet {
		s := f.set(time.Second)
		s.Tables[0].Children = []mysql.ChildKey{{Database: f.name, Table: "ch", ForeignKey: mysql.ForeignKey{Name: "ch_pa",
			Columns: []string{"pa_id"}, RefDatabase: f.name, RefTable: "pa", RefColumns: []string{"id"}, OnDelete: "RESTRICT", OnUpdate: "RESTRICT"}}}
		return s
	}
	refs := func() string {
		var s string
		if err := f.admin.QueryRow(`SELECT COALESCE(GROUP_CONCAT(CONCAT(TABLE_NAME, '.', CONSTRAINT_NAME, '->', REFERENCED_TABLE_NAME) ORDER BY 1), '')
			FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ?`, f.name).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	blocker := failAttempt(t, f, set())
	defer blocker.Rollback()
	if got := refs(); got != "ch.ch_pa->pa" {
		t.Fatalf("keys after the failed attempt: %s, want ch.ch_pa->pa", got)
	}
	if err := blocker.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := set().Attempt(context.Background()); err != nil {
		t.Fatalf("the attempt after the blocker: %v", err)
	}
	if got := refs(); got != "ch.ch_pa->pa" {
		t.Errorf("keys after the swap: %s, want ch.ch_pa->pa", got)
	}
	if _, err := f.admin.Exec("INSERT INTO pa (id, tx) VALUES (2, 2)"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.admin.Exec("INSERT INTO ch VALUES (2, 2)"); err != nil {
		t.Errorf("a child of a row of the new table: %v (the key does not reference it)", err)
	}
	var side string
	if err := f.admin.QueryRow("SELECT side FROM pa WHERE id = 2").Scan(&side); err != nil || side != "new" {
		t.Errorf("pa is not the new table: %q %v", side, err)
	}
}

// failAttempt makes attempt fail after the keys moved: a transaction that
// read the other table's shadow (_fb_new) keeps the RENAME from it. The
// caller ends the returned transaction to let the next attempt through.
func failAttempt(t *testing.T, f *setFixture, set *MySQLSet) *sql.Tx {
	t.Helper()
	blocker, err := f.admin.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := blocker.Exec("SELECT COUNT(*) FROM _fb_new"); err != nil {
		t.Fatal(err)
	}
	if err := set.Attempt(context.Background()); err == nil {
		blocker.Rollback()
		t.Fatal("the cut-over went through a transaction holding _fb_new")
	}
	return blocker
}
