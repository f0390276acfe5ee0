package postgres

import (
	"context"
	"database/sql"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestCarryOverSQL: a shadow made with LIKE ... INCLUDING ALL gets the
// table's owner, privileges (table, column, PUBLIC, grant option; and not
// those default privileges added), comment, storage parameters (its own
// extra one reset), replica identity and column statistics settings; a
// second call finds nothing left to do.
func TestCarryOverSQL(t *testing.T) {
	_, app, admin := appDB(t)
	owner := objectsTestRole(t, admin, "NOLOGIN")
	reader := objectsTestRole(t, admin, "NOLOGIN")
	other := objectsTestRole(t, admin, "NOLOGIN")
	ownerQ, readerQ, otherQ := pgx.Identifier{owner}.Sanitize(), pgx.Identifier{reader}.Sanitize(), pgx.Identifier{other}.Sanitize()
	objectsTestExec(t, admin, "GRANT "+ownerQ+" TO hotswap", "GRANT CREATE ON SCHEMA public TO "+ownerQ)
	objectsTestExec(t, app,
		"CREATE TABLE t (id int PRIMARY KEY, v text, n int) WITH (fillfactor = 70, toast.autovacuum_enabled = false)",
		"ALTER TABLE t OWNER TO "+ownerQ,
		"GRANT SELECT ON t TO "+readerQ,
		"GRANT UPDATE (v) ON t TO "+readerQ,
		"GRANT INSERT ON t TO "+otherQ+" WITH GRANT OPTION",
		"GRANT SELECT (id) ON t TO PUBLIC",
		"COMMENT ON TABLE t IS 'orders, it''s big'",
		"ALTER TABLE t REPLICA IDENTITY FULL",
		"ALTER TABLE t ALTER COLUMN v SET STATISTICS 500",
		"ALTER TABLE t ALTER COLUMN n SET (n_distinct = -0.5)",
		"ALTER DEFAULT PRIVILEGES FOR ROLE hotswap IN SCHEMA public GRANT DELETE ON TABLES TO "+readerQ,
		"CREATE TABLE _t_new (LIKE t INCLUDING ALL) WITH (autovacuum_enabled = false)",
		"ALTER TABLE _t_new ADD COLUMN w int",
	)
	carryOverTestApply(t, app, "t", "_t_new")

	for _, c := range []struct{ query, want string }{
		{"SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = '_t_new'::regclass", owner},
		{"SELECT obj_description('_t_new'::regclass, 'pg_class')", "orders, it's big"},
		{"SELECT array_to_string(ARRAY(SELECT o FROM unnest(reloptions) o WHERE o NOT LIKE 'pg\\_%'), ',') FROM pg_class WHERE oid = '_t_new'::regclass", "fillfactor=70"},
		{"SELECT array_to_string(ARRAY(SELECT o FROM unnest(t.reloptions) o WHERE o NOT LIKE 'pg\\_%'), ',') FROM pg_class c JOIN pg_class t ON t.oid = c.reltoastrelid WHERE c.oid = '_t_new'::regclass", "autovacuum_enabled=false"},
		{"SELECT relreplident::text FROM pg_class WHERE oid = '_t_new'::regclass", "f"},
		{"SELECT attstattarget::text FROM pg_attribute WHERE attrelid = '_t_new'::regclass AND attname = 'v'", "500"},
		// the server may keep options of its own there (15.20: pg_attver)
		{"SELECT array_to_string(ARRAY(SELECT o FROM unnest(attoptions) o WHERE o LIKE 'n\\_distinct%'), ',') FROM pg_attribute WHERE attrelid = '_t_new'::regclass AND attname = 'n'", "n_distinct=-0.5"},
	} {
		if got := objectsTestRows(t, app, c.query); len(got) != 1 || got[0] != c.want {
			t.Errorf("%s = %q, want %q", c.query, got, c.want)
		}
	}
	for _, c := range []struct {
		check string
		want  bool
	}{
		{"has_table_privilege('" + reader + "', '_t_new', 'SELECT')", true},
		{"has_table_privilege('" + reader + "', '_t_new', 'DELETE')", false},
		{"has_table_privilege('" + reader + "', '_t_new', 'INSERT')", false},
		{"has_column_privilege('" + reader + "', '_t_new', 'v', 'UPDATE')", true},
		{"has_column_privilege('" + reader + "', '_t_new', 'id', 'UPDATE')", false},
		{"has_table_privilege('" + other + "', '_t_new', 'INSERT WITH GRANT OPTION')", true},
		{"has_table_privilege('" + other + "', '_t_new', 'SELECT')", false},
		{"has_column_privilege('public', '_t_new', 'id', 'SELECT')", true},
		{"has_column_privilege('public', '_t_new', 'v', 'SELECT')", false},
		{"has_table_privilege('" + owner + "', '_t_new', 'TRUNCATE')", true},
	} {
		var got bool
		if err := app.QueryRow("SELECT " + c.check).Scan(&got); err != nil || got != c.want {
			t.Errorf("%s = %v, %v; want %v", c.check, got, err, c.want)
		}
	}
}

// TestCarryOverSQLIdentityIndex: REPLICA IDENTITY USING INDEX names the
// shadow's counterpart of the table's identity index.
func TestCarryOverSQLIdentityIndex(t *testing.T) {
	_, app, _ := appDB(t,
		"CREATE TABLE t (id int PRIMARY KEY, code int NOT NULL)",
		"CREATE UNIQUE INDEX t_code_idx ON t (code)",
		"ALTER TABLE t REPLICA IDENTITY USING INDEX t_code_idx",
		"CREATE TABLE _t_new (LIKE t INCLUDING ALL)",
		"CREATE UNIQUE INDEX _t_new_code_desc ON _t_new (code DESC)", // same column, another index
	)
	carryOverTestApply(t, app, "t", "_t_new")
	want := objectsTestRows(t, app, `SELECT c.relname::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
		WHERE i.indrelid = '_t_new'::regclass AND pg_get_indexdef(i.indexrelid) LIKE '%(code)'`)
	got := objectsTestRows(t, app, `SELECT c.relname::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
		WHERE i.indrelid = '_t_new'::regclass AND i.indisreplident`)
	if len(want) != 1 || len(got) != 1 || got[0] != want[0] {
		t.Fatalf("identity index of the shadow: %q, want %q", got, want)
	}
}

// carryOverTestApply runs CarryOverSQL's and CarrySettingsSQL's statements in one transaction, then
// checks that a second call has nothing left to do.
func carryOverTestApply(t *testing.T, db *sql.DB, table, shadow string) {
	t.Helper()
	ctx := context.Background()
	stmts, err := CarryOverSQL(ctx, db, "public", table, shadow)
	if err != nil {
		t.Fatal(err)
	}
	settings, err := CarrySettingsSQL(ctx, db, "public", table, shadow, nil)
	if err != nil {
		t.Fatal(err)
	}
	stmts = append(stmts, settings...)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	for _, st := range stmts {
		t.Log(st)
		objectsTestExec(t, tx, st)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if again, err := CarryOverSQL(ctx, db, "public", table, shadow); err != nil || len(again) != 0 {
		t.Fatalf("second CarryOverSQL = %q, %v; want nothing", again, err)
	}
	if again, err := CarrySettingsSQL(ctx, db, "public", table, shadow, nil); err != nil || len(again) != 0 {
		t.Fatalf("second CarrySettingsSQL = %q, %v; want nothing", again, err)
	}
}

// TestUserOption: only options a user sets are carried; an option the server
// keeps for itself (pg_attver on 15.20) or an unknown one never is.
func TestUserOption(t *testing.T) {
	for _, c := range []struct {
		col, name string
		want      bool
	}{
		{"", "fillfactor", true},
		{"", "autovacuum_enabled", true},
		{"", "toast.autovacuum_enabled", true},
		{"", "toast_tuple_target", true},
		{"", "toast.fillfactor", false},
		{"", "pg_attver", false},
		{"n", "n_distinct", true},
		{"n", "n_distinct_inherited", true},
		{"n", "pg_attver", false},
		{"n", "fillfactor", false},
	} {
		if got := userOption(c.col, c.name); got != c.want {
			t.Errorf("userOption(%q, %q) = %v, want %v", c.col, c.name, got, c.want)
		}
	}
}
