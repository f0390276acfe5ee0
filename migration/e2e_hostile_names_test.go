package migration_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/hotswap/hotswap/dialect/mysql"
	"github.com/hotswap/hotswap/internal/testdb"
	"github.com/hotswap/hotswap/internal/workload"
	"github.com/hotswap/hotswap/migration"
	"github.com/jackc/pgx/v5"
)

// hostileCase is a table whose name and column names hold what breaks SQL
// built by pasting names in: quotes of each kind, spaces, comment starts,
// semicolons, unicode, the longest name the engine takes.
type hostileCase struct {
	name  string // subtest
	table string
	key   string // the primary key column (int)
	mod   string // an int column the ALTER widens to bigint
	str   string // a varchar column, with an index
	index string
	added string // the column the ALTER adds, with a hostile default
}

// hostileDefault is the added column's default: quotes and comment starts in
// a string literal.
const hostileDefault = `it's "q" ` + "`b`" + ` -- /* x */; #`

// padTo pads name with x to n characters (runes).
func padTo(name string, n int) string {
	return name + strings.Repeat("x", n-utf8.RuneCountInString(name))
}

// padBytes pads name with x to n bytes.
func padBytes(name string, n int) string { return name + strings.Repeat("x", n-len(name)) }

const punct = "`\"' --/*;" // backtick, double quote, single quote, space, comment starts, semicolon

var mysqlHostileCases = []hostileCase{
	{name: "quotes comments semicolons",
		table: "h`b\"c'd e--f/*g;h#i.j", key: "i`d", mod: "m\"o'd -- x", str: "s;/*s*/.x",
		index: "ix `\" '--/*;", added: "a`d'd\"ed -- /* #"},
	{name: "unicode",
		table: "café_ñ_表", key: "ключ", mod: "数量 ü", str: "Straße ß", index: "índice_索引", added: "añadido_追加"},
	{name: "64 character names",
		table: padTo("t"+punct+"é表", 64), key: padTo("k"+punct, 64), mod: padTo("m"+punct+"表", 64),
		str: padTo("s"+punct, 64), index: padTo("i"+punct, 64), added: padTo("a"+punct+"ñ", 64)},
	{name: "64 character unicode table", // 127 bytes; MariaDB's file name for 64 "表" is too long
		table: "x" + strings.Repeat("é", 63), key: "id", mod: "m", str: "s", index: "ix", added: "a"},
}

// hostileEngines is each engine's hostile tables, its DDL for them, and its
// name limit and schema checks.
var hostileEngines = map[string]struct {
	cases         []hostileCase
	quote         func(string) string
	create        func(q func(string) string, c hostileCase) []string
	alter         string                   // Sprintf of the added column, its default (quoted for a literal), the widened column
	schema        func(e engineEnv) string // where the tables are: the workload's "schema.table" (the table's own name may hold dots)
	nameFits      func(string) bool
	nameLimit     string
	requireSchema func(e engineEnv, c hostileCase) // the new table's columns, index and added default
}{
	"mysql": {cases: mysqlHostileCases, quote: mysql.Quote,
		create: func(q func(string) string, c hostileCase) []string {
			return []string{fmt.Sprintf("CREATE TABLE %s (%s INT PRIMARY KEY, %s INT, %s VARCHAR(64), wl_ver BIGINT, KEY %s (%s)) DEFAULT CHARSET=utf8mb4",
				q(c.table), q(c.key), q(c.mod), q(c.str), q(c.index), q(c.str))}
		},
		alter:         "ADD COLUMN %s VARCHAR(60) NOT NULL DEFAULT '%s', MODIFY %s BIGINT",
		schema:        func(e engineEnv) string { return e.(*env).db },
		nameFits:      func(n string) bool { return utf8.RuneCountInString(n) <= mysql.MaxNameLen },
		nameLimit:     fmt.Sprintf("%d characters", mysql.MaxNameLen),
		requireSchema: func(e engineEnv, c hostileCase) { e.(*env).requireMySQLSchema(c) }},
	"postgres": {cases: pgHostileCases, quote: func(s string) string { return pgx.Identifier{s}.Sanitize() },
		create: func(q func(string) string, c hostileCase) []string {
			return []string{fmt.Sprintf("CREATE TABLE %s (%s int PRIMARY KEY, %s int, %s varchar(64), wl_ver bigint)",
				q(c.table), q(c.key), q(c.mod), q(c.str)),
				fmt.Sprintf("CREATE INDEX %s ON %s (%s)", q(c.index), q(c.table), q(c.str))}
		},
		alter:         "ADD COLUMN %s text NOT NULL DEFAULT '%s', ALTER COLUMN %s TYPE bigint",
		schema:        func(engineEnv) string { return "public" },
		nameFits:      func(n string) bool { return len(n) <= 63 },
		nameLimit:     "63 bytes",
		requireSchema: func(e engineEnv, c hostileCase) { e.(*pgEnv).requirePostgresSchema(c) }},
}

// TestHostileNames migrates each hostile table with an ALTER that adds a
// column and modifies another, under concurrent writes, and compares every
// row of source and shadow (cut-over postponed), then of the old and the new
// table, and checks the derived names, the tables left and the final schema.
func TestHostileNames(t *testing.T) {
	cases := map[string][]hostileCase{}
	for name, h := range hostileEngines {
		cases[name] = h.cases
	}
	forEachEngineCase(t, cases, func(c hostileCase) string { return c.name }, func(t *testing.T, e engineEnv, c hostileCase) {
		h := hostileEngines[e.engine()]
		e.exec(h.create(h.quote, c)...)
		schema := h.schema(e)
		w := newWorkload(t, e, 3000, workload.Options{Table: schema + "." + c.table, Workers: 3, Rate: 400})
		w.Start(context.Background())
		time.Sleep(200 * time.Millisecond) // writes in flight when the copy starts
		cfg := e.config(c.table, fmt.Sprintf(h.alter, h.quote(c.added), strings.ReplaceAll(hostileDefault, "'", "''"), h.quote(c.mod)))
		cfg.PostponeFlagFile = flagFile(t)
		run := e.start(cfg)
		run.waitState(t, migration.StatePostponed)
		time.Sleep(300 * time.Millisecond) // changes keep flowing while postponed
		st := w.Stop()
		requireNoErrors(t, st)
		t.Logf("%d transactions committed during the run", st.Commits)
		shadow, old := run.m.ShadowName(), run.m.OldName()
		for _, n := range []string{shadow, old} {
			if !h.nameFits(n) || !utf8.ValidString(n) {
				t.Fatalf("derived name %q: over %s or not UTF-8", n, h.nameLimit)
			}
		}
		key := []string{c.key}
		run.compareShadow(t, e, c.table, key, nil)
		os.Remove(cfg.PostponeFlagFile)
		run.wait(t)
		e.compareRows(old, c.table, key, nil)
		if err := w.Check(context.Background(), e.writer(), schema+"."+c.table); err != nil {
			t.Fatalf("acknowledged writes: %v", err)
		}
		if got, want := e.tables(), strings.Join(sortedBinary(old, c.table), ","); got != want {
			t.Errorf("tables %q, want %q", got, want)
		}
		e.requireNoStreamLeftovers()
		h.requireSchema(e, c)
	})
}

func sortedBinary(names ...string) []string {
	slices.Sort(names) // Go compares bytes, as ORDER BY BINARY does
	return names
}

// requireMySQLSchema checks the new table's columns, in order with their
// types, the index on the string column, and the added column's default.
func (e *env) requireMySQLSchema(c hostileCase) {
	e.t.Helper()
	got := testdb.Strings(e.t, e.admin, `SELECT CONCAT(COLUMN_NAME, ' ', COLUMN_TYPE) FROM information_schema.COLUMNS
		WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`, c.table)
	want := []string{c.key + " int(11)", c.mod + " bigint(20)", c.str + " varchar(64)", "wl_ver bigint(20)", c.added + " varchar(60)"}
	if !slices.Equal(got, want) {
		e.t.Errorf("columns of the new table:\n%q\nwant\n%q", got, want)
	}
	var n int
	if err := e.admin.QueryRow(`SELECT COUNT(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE()
		AND TABLE_NAME = ? AND INDEX_NAME = ? AND COLUMN_NAME = ?`, c.table, c.index, c.str).Scan(&n); err != nil || n != 1 {
		e.t.Errorf("index %q on %q: %d (%v)", c.index, c.str, n, err)
	}
	var bad, all int
	q := fmt.Sprintf("SELECT SUM(%s <> ?), COUNT(*) FROM %s", mysql.Quote(c.added), mysql.Quote(c.table))
	if err := e.admin.QueryRow(q, hostileDefault).Scan(&bad, &all); err != nil || bad != 0 || all == 0 {
		e.t.Errorf("added column %q: %d of %d rows without the default %q (%v)", c.added, bad, all, hostileDefault, err)
	}
}

// TestHostileAlterTrailingComment: an ALTER ending in a "--" comment must not
// swallow the ", ALGORITHM=INSTANT" that --attempt-instant-ddl appends; else
// ADD INDEX would run on the live table itself instead of online.
func TestHostileAlterTrailingComment(t *testing.T) {
	e := newEnv(t)
	e.exec("CREATE TABLE t (id INT PRIMARY KEY, v INT)", "INSERT INTO t SELECT seq, seq FROM seq_1_to_2000")
	cfg := e.config("t", "ADD INDEX `ix -- v` (v) -- not instant: an index is built")
	cfg.AttemptInstantDDL = true
	out, err := e.run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, "done in place") || e.tables() != "_t_old,t" || !strings.Contains(e.showCreate("t"), "`ix -- v`") {
		t.Fatalf("want an online copy: tables %s\n%s", e.tables(), out)
	}
}

var pgHostileCases = []hostileCase{
	{name: "quotes comments semicolons",
		table: "h`b\"c'd e--f/*g;h#i.j", key: "i\"d", mod: "m\"o'd -- x", str: "s;/*s*/.x`",
		index: "ix `\" '--/*;", added: "a`d'd\"ed -- /* #"},
	{name: "unicode",
		table: "café_ñ_表_😀", key: "ключ", mod: "数量 ü", str: "Straße ß", index: "índice_索引", added: "añadido_追加"},
	{name: "63 byte names",
		table: padBytes("T"+punct+"é", 63), key: padBytes("K"+punct, 63), mod: padBytes("m"+punct, 63),
		str: padBytes("s"+punct, 63), index: padBytes("i"+punct, 63), added: padBytes("a"+punct, 63)},
	{name: "63 byte unicode names", // 21 three-byte characters: a cut by bytes splits one
		table: strings.Repeat("表", 21), key: strings.Repeat("鍵", 21), mod: strings.Repeat("量", 21),
		str: strings.Repeat("字", 21), index: strings.Repeat("索", 21), added: strings.Repeat("追", 21)},
}

// requirePostgresSchema checks the new table's columns in order with their
// types, its index under the original name, and the added column's default.
func (e *pgEnv) requirePostgresSchema(c hostileCase) {
	e.t.Helper()
	got := testdb.Strings(e.t, e.admin, `SELECT attname::text || ' ' || format_type(atttypid, atttypmod) FROM pg_attribute
		WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`, pgx.Identifier{c.table}.Sanitize())
	want := []string{c.key + " integer", c.mod + " bigint", c.str + " character varying(64)", "wl_ver bigint", c.added + " text"}
	if !slices.Equal(got, want) {
		e.t.Errorf("columns of the new table:\n%q\nwant\n%q", got, want)
	}
	if n := e.scalar(`SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
		WHERE i.indrelid = $1::regclass AND c.relname = $2`, pgx.Identifier{c.table}.Sanitize(), c.index); n != 1 {
		e.t.Errorf("index %q is not on the new table", c.index)
	}
	q := fmt.Sprintf("SELECT count(*) FILTER (WHERE %s <> $1) FROM %s", pgx.Identifier{c.added}.Sanitize(), pgx.Identifier{c.table}.Sanitize())
	if bad := e.scalar(q, hostileDefault); bad != 0 {
		e.t.Errorf("added column %q: %d rows without the default %q", c.added, bad, hostileDefault)
	}
}
