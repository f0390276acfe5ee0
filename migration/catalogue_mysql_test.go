package migration_test

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/hotswap/hotswap/dialect/mysql"
	"github.com/hotswap/hotswap/internal/testdb"
	"github.com/hotswap/hotswap/migration"
)

// mysqlCatalogue is a case's two databases on the package's MariaDB.
type mysqlCatalogue struct {
	t    *testing.T
	e    *env
	ref  *sql.DB
	srv  *testdb.MySQL
	c    catalogueCase
	cols string // t's writable columns, quoted, in order
}

func openMySQLCatalogue(t *testing.T, c catalogueCase) catalogueTarget {
	srv := testdb.MySQLServer(t)
	e := newEnv(t)
	_, ref := srv.NewDatabase(t)
	return &mysqlCatalogue{t: t, e: e, ref: ref, srv: srv, c: c}
}

// setServerGlobals gives the server the case's sql_mode and time_zone, after
// the table was made (a table made long ago under laxer settings, say): the
// pools then open a new session for each statement, so that every later
// statement, the server's own ALTER included, runs under them.
func (m *mysqlCatalogue) setServerGlobals() {
	if m.c.sqlMode == "" && m.c.timeZone == "" {
		return
	}
	if m.c.sqlMode != "" {
		setGlobal(m.t, m.srv, "sql_mode", m.c.sqlMode)
	}
	if m.c.timeZone != "" {
		setGlobal(m.t, m.srv, "time_zone", m.c.timeZone)
	}
	for _, db := range []*sql.DB{m.e.admin, m.ref} {
		db.SetMaxIdleConns(0)
	}
}

// setGlobal sets a server variable for the case (new sessions take it) and
// puts the old value back after it.
func setGlobal(t *testing.T, srv *testdb.MySQL, name, value string) {
	root, err := sql.Open("mysql", srv.RootDSN(""))
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	var old string
	if err := root.QueryRow("SELECT @@GLOBAL." + name).Scan(&old); err != nil {
		t.Fatal(err)
	}
	if _, err := root.Exec("SET GLOBAL "+name+" = ?", value); err != nil {
		t.Fatalf("set global %s %q: %v", name, value, err)
	}
	t.Cleanup(func() {
		root, err := sql.Open("mysql", srv.RootDSN(""))
		if err == nil {
			_, err = root.Exec("SET GLOBAL "+name+" = ?", old)
			root.Close()
		}
		if err != nil {
			t.Errorf("restore global %s %q: %v", name, old, err)
		}
	})
}

func (m *mysqlCatalogue) execCase(stmts ...string) { m.e.exec(stmts...) }

func (m *mysqlCatalogue) execRef(stmts ...string) {
	m.t.Helper()
	for _, s := range stmts {
		if _, err := m.ref.Exec(s); err != nil {
			m.t.Fatalf("reference: %s: %v", s, err)
		}
	}
}

func (m *mysqlCatalogue) config(alter string) migration.Config { return m.e.config("t", alter) }

func (m *mysqlCatalogue) makeSeed() {
	var cols []string
	for _, c := range m.columns(m.e.admin, false) {
		cols = append(cols, mysql.Quote(c))
	}
	m.cols = strings.Join(cols, ", ")
	m.e.exec("CREATE TABLE catalogue_seed AS SELECT " + m.cols + " FROM t")
	m.setServerGlobals()
}

// columns lists t's columns in order: every one, or only those a write may
// set (not generated).
func (m *mysqlCatalogue) columns(db *sql.DB, all bool) []string {
	rows, err := db.Query(`SELECT COLUMN_NAME, EXTRA FROM information_schema.COLUMNS
		WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 't' ORDER BY ORDINAL_POSITION`)
	if err != nil {
		m.t.Fatal(err)
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var name, extra string
		if err := rows.Scan(&name, &extra); err != nil {
			m.t.Fatal(err)
		}
		if all || !strings.Contains(strings.ToUpper(extra), "GENERATED") {
			cols = append(cols, name)
		}
	}
	return cols
}

func (m *mysqlCatalogue) churn(ctx context.Context) error {
	for _, q := range []string{
		"REPLACE INTO t (" + m.cols + ") SELECT " + m.cols + " FROM catalogue_seed ORDER BY RAND() LIMIT 20",
		"DELETE FROM t ORDER BY RAND() LIMIT 10",
	} {
		if _, err := m.e.admin.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return m.restore(ctx)
}

func (m *mysqlCatalogue) restore(ctx context.Context) error {
	_, err := m.e.admin.ExecContext(ctx, "INSERT IGNORE INTO t ("+m.cols+") SELECT "+m.cols+" FROM catalogue_seed")
	return err
}

func (m *mysqlCatalogue) serverAlter(alter string) error {
	_, err := m.ref.Exec("ALTER TABLE t " + alter)
	return err
}

// definition is SHOW CREATE TABLE t with the index lines sorted: hotswap
// builds secondary indexes after the copy, so their order may differ.
func (m *mysqlCatalogue) definition(ref bool) string {
	ddl := m.showCreate(ref)
	var cols, keys, rest []string
	for _, line := range strings.Split(ddl, "\n") {
		trimmed := strings.TrimSuffix(strings.TrimSpace(line), ",")
		switch {
		case strings.HasPrefix(trimmed, "`"):
			cols = append(cols, trimmed)
		case strings.Contains(trimmed, "KEY ") || strings.HasPrefix(trimmed, "CONSTRAINT"):
			keys = append(keys, trimmed)
		default:
			rest = append(rest, trimmed)
		}
	}
	sort.Strings(keys)
	return strings.Join(append(append(cols, keys...), rest...), "\n")
}

// showCreate is t's DDL: the second column of SHOW CREATE TABLE, which
// answers with four columns for a view and two for a table.
func (m *mysqlCatalogue) showCreate(ref bool) string {
	rows, err := m.db(ref).Query("SHOW CREATE TABLE t")
	if err != nil {
		m.t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil || !rows.Next() {
		m.t.Fatalf("SHOW CREATE TABLE t: %v %v", err, rows.Err())
	}
	vals := make([]sql.RawBytes, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		m.t.Fatal(err)
	}
	return string(vals[1])
}

// rows reads every column of every row, invisible and generated ones too.
func (m *mysqlCatalogue) rows(ref bool) []string {
	db := m.db(ref)
	var cols []string
	for _, c := range m.columns(db, true) {
		cols = append(cols, mysql.Quote(c))
	}
	return scanRowsAsText(m.t, db, "SELECT "+strings.Join(cols, ", ")+" FROM t")
}

func (m *mysqlCatalogue) db(ref bool) *sql.DB {
	if ref {
		return m.ref
	}
	return m.e.admin
}

func (m *mysqlCatalogue) tables() string { return m.e.tables() }

// scanRowsAsText returns each row of q as its values quoted (NULL apart),
// sorted.
func scanRowsAsText(t *testing.T, db *sql.DB, q string) []string {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		vals := make([]sql.RawBytes, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			if v == nil {
				parts[i] = "NULL"
			} else {
				parts[i] = fmt.Sprintf("%q", v)
			}
		}
		out = append(out, "("+strings.Join(parts, ", ")+")")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}
