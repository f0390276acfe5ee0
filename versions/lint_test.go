package versions

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	mydialect "github.com/hotswap/hotswap/dialect/mysql"
	pgdialect "github.com/hotswap/hotswap/dialect/postgres"
	"github.com/hotswap/hotswap/engine"
	"github.com/hotswap/hotswap/migration"
)

// fakeDB is a database for the rule tests, without a server: the engine's
// own splitter and ALTER TABLE reader, and a few tables.
//
//	items        rows; note holds NULLs; email, and (a, b), hold duplicates
//	empty        no rows
//	shop.orders  rows (MySQL database shop, PostgreSQL schema shop)
type fakeDB struct {
	engine.Database // the rest: never called
	pg              bool
}

var fakeTables = map[string]bool{"items": true, "empty": false, "shop.orders": true} // name: has rows

func (f fakeDB) Size(_ context.Context, schema, table string) (int64, int64, bool, error) {
	rows, ok := fakeTables[display(schema, table)]
	if rows {
		return 10, 1 << 20, ok, nil
	}
	return 0, 16 << 10, ok, nil
}

func (f fakeDB) HasRows(_ context.Context, schema, table, nullColumn string) (bool, error) {
	if nullColumn != "" {
		return display(schema, table) == "items" && nullColumn == "note", nil
	}
	return fakeTables[display(schema, table)], nil
}

func (f fakeDB) HasDuplicates(_ context.Context, schema, table string, cols []string) (bool, error) {
	k := strings.Join(cols, ",")
	return display(schema, table) == "items" && (k == "email" || k == "a,b"), nil
}

// fakeColumns are the columns of items the narrow-type rule reads.
var fakeColumns = map[bool]map[string]string{
	false: {"note": "varchar(20)", "v": "int(11)", "price": "decimal(10,2)", "created": "datetime"},
	true:  {"note": "character varying(20)", "v": "integer", "price": "numeric(10,2)", "created": "timestamp without time zone"},
}

func (f fakeDB) ColumnType(_ context.Context, schema, table, column string) (string, bool, error) {
	if display(schema, table) != "items" {
		return "", false, nil
	}
	typ, ok := fakeColumns[f.pg][column]
	return typ, ok, nil
}

func (f fakeDB) ParseAlterTable(stmt string) (string, string, string, bool) {
	if f.pg {
		return pgdialect.ParseAlterTable(stmt)
	}
	return mydialect.ParseAlterTable(stmt)
}

func (f fakeDB) Split(sql string) ([]engine.Statement, error) {
	var out []engine.Statement
	if f.pg {
		stmts, err := pgdialect.SplitStatements(sql)
		for _, s := range stmts {
			out = append(out, engine.Statement{SQL: s.SQL, Line: s.Line})
		}
		return out, err
	}
	stmts, err := mydialect.SplitStatements(sql)
	for _, s := range stmts {
		out = append(out, engine.Statement{SQL: s.SQL, Line: s.Line})
	}
	return out, err
}

// lintCase is a file and the findings it gives: "rule@line", waived ones
// "rule@line(waived)"; my and pg say on which engines (both when neither).
type lintCase struct {
	name   string
	my, pg bool
	file   string
	want   []string
}

func runLintCases(t *testing.T, cases []lintCase) {
	t.Helper()
	for _, c := range cases {
		for _, pg := range []bool{false, true} {
			if c.my && pg || c.pg && !pg {
				continue
			}
			eng := migration.EngineMySQL
			if pg {
				eng = migration.EnginePostgres
			}
			t.Run(c.name+"/"+eng, func(t *testing.T) {
				r := &runner{cfg: Config{Engine: eng}, db: fakeDB{pg: pg}, history: map[uint64]engine.Record{}}
				fs, err := r.lintVersion(context.Background(), Version{Number: 7, Name: "v", Up: c.file})
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, f := range fs {
					s := f.Rule + "@" + strconv.Itoa(f.Line)
					if f.Waived {
						s += "(waived)"
					}
					got = append(got, s)
					if f.Fix == "" || f.Problem == "" || f.Version != 7 || !strings.Contains(f.String(), "hotswap:allow "+f.Rule) && !f.Waived {
						t.Errorf("finding without its fix, problem, version or waiver: %+v", f)
					}
				}
				if !slices.Equal(got, c.want) {
					t.Errorf("%q:\n got %v\nwant %v", c.file, got, c.want)
				}
			})
		}
	}
}

func TestLintDropTable(t *testing.T) {
	runLintCases(t, []lintCase{
		{name: "one", file: "DROP TABLE items;", want: []string{"drop-table@1"}},
		{name: "several, one flagged", file: "\n\ndrop table if exists newt, items, empty;", want: []string{"drop-table@3"}},
		{name: "qualified", file: "DROP TABLE shop.orders CASCADE;", want: []string{"drop-table@1"}},
		{name: "if exists of nothing", file: "DROP TABLE IF EXISTS newt;", want: nil},
		{name: "created by the run", file: "CREATE TABLE newt (id int);\nDROP TABLE newt;", want: nil},
		{name: "temporary", my: true, file: "DROP TEMPORARY TABLE items;", want: nil},
		{name: "quoted", my: true, file: "DROP TABLE `items`;", want: []string{"drop-table@1"}},
		{name: "quoted", pg: true, file: `DROP TABLE "items";`, want: []string{"drop-table@1"}},
		{name: "quoted other case", pg: true, file: `DROP TABLE "Items";`, want: nil},
		{name: "in a string", file: "INSERT INTO log VALUES ('DROP TABLE items');", want: nil},
		{name: "index", file: "DROP INDEX idx ON items;", want: nil},
	})
}

func TestLintDropColumn(t *testing.T) {
	runLintCases(t, []lintCase{
		{name: "column", file: "ALTER TABLE items DROP COLUMN note;", want: []string{"drop-column@1"}},
		{name: "bare", file: "ALTER TABLE items DROP note, ADD COLUMN x INT;", want: []string{"drop-column@1"}},
		{name: "if exists", file: "ALTER TABLE items DROP COLUMN IF EXISTS note;", want: []string{"drop-column@1"}},
		{name: "two", file: "ALTER TABLE items DROP COLUMN a, DROP COLUMN b;", want: []string{"drop-column@1", "drop-column@1"}},
		{name: "constraint", file: "ALTER TABLE items DROP CONSTRAINT c;", want: nil},
		{name: "index and keys", my: true, file: "ALTER TABLE items DROP INDEX i, DROP PRIMARY KEY, DROP FOREIGN KEY f, DROP CHECK c;", want: nil},
		{name: "column named index", my: true, file: "ALTER TABLE items DROP `index`;", want: []string{"drop-column@1"}},
		{name: "change and modify", my: true, file: "ALTER TABLE items CHANGE note note TEXT, MODIFY v BIGINT;", want: nil},
		{name: "default", file: "ALTER TABLE items ALTER COLUMN note DROP DEFAULT;", want: nil},
		{name: "new table", file: "ALTER TABLE newt DROP COLUMN note;", want: nil},
	})
}

func TestLintRenameTable(t *testing.T) {
	runLintCases(t, []lintCase{
		{name: "rename table", my: true, file: "RENAME TABLE items TO items_old, newt TO x;", want: []string{"rename-table@1"}},
		{name: "alter rename to", file: "ALTER TABLE items RENAME TO goods;", want: []string{"rename-table@1"}},
		{name: "alter rename as", my: true, file: "ALTER TABLE items RENAME AS goods;", want: []string{"rename-table@1"}},
		{name: "alter rename bare", my: true, file: "ALTER TABLE items RENAME goods;", want: []string{"rename-table@1"}},
		{name: "set schema", pg: true, file: "ALTER TABLE items SET SCHEMA archive;", want: []string{"rename-table@1"}},
		{name: "rename index", my: true, file: "ALTER TABLE items RENAME INDEX a TO b;", want: nil},
		{name: "rename constraint", pg: true, file: "ALTER TABLE items RENAME CONSTRAINT a TO b;", want: nil},
		{name: "new table", file: "ALTER TABLE newt RENAME TO goods;", want: nil},
	})
}

func TestLintRenameColumn(t *testing.T) {
	runLintCases(t, []lintCase{
		{name: "rename column", file: "ALTER TABLE items RENAME COLUMN note TO remark;", want: []string{"rename-column@1"}},
		{name: "rename bare", pg: true, file: "ALTER TABLE items RENAME note TO remark;", want: []string{"rename-column@1"}},
		{name: "change", my: true, file: "ALTER TABLE items CHANGE COLUMN note remark VARCHAR(20);", want: []string{"rename-column@1"}},
		{name: "change same name", my: true, file: "ALTER TABLE items CHANGE note NOTE VARCHAR(30);", want: nil},
		{name: "quoted", my: true, file: "ALTER TABLE items CHANGE `note` `re mark` TEXT;", want: []string{"rename-column@1"}},
	})
}

func TestLintNotNullNoDefault(t *testing.T) {
	runLintCases(t, []lintCase{
		{name: "add", file: "ALTER TABLE items ADD COLUMN c INT NOT NULL;", want: []string{"not-null-no-default@1"}},
		{name: "add bare", file: "ALTER TABLE items ADD c INT NOT NULL;", want: []string{"not-null-no-default@1"}},
		{name: "add with default", file: "ALTER TABLE items ADD COLUMN c INT NOT NULL DEFAULT 0;", want: nil},
		{name: "add null", file: "ALTER TABLE items ADD COLUMN c INT NULL, ADD COLUMN d INT;", want: nil},
		{name: "add to an empty table", file: "ALTER TABLE empty ADD COLUMN c INT NOT NULL;", want: nil},
		{name: "not null in a check", file: "ALTER TABLE items ADD COLUMN c INT CHECK (c IS NOT NULL);", want: nil},
		{name: "generated", my: true, file: "ALTER TABLE items ADD COLUMN c INT AS (id + 1) STORED NOT NULL;", want: nil},
		{name: "auto_increment", my: true, file: "ALTER TABLE items ADD COLUMN c INT NOT NULL AUTO_INCREMENT;", want: nil},
		{name: "list", my: true, file: "ALTER TABLE items ADD (c INT NOT NULL, d INT);", want: []string{"not-null-no-default@1"}},
		{name: "serial", pg: true, file: "ALTER TABLE items ADD COLUMN c bigserial NOT NULL;", want: nil},
		{name: "identity", pg: true, file: "ALTER TABLE items ADD COLUMN c int NOT NULL GENERATED ALWAYS AS IDENTITY;", want: nil},
		{name: "set not null on nulls", pg: true, file: "ALTER TABLE items ALTER COLUMN note SET NOT NULL;", want: []string{"not-null-no-default@1"}},
		{name: "set not null, no nulls", pg: true, file: "ALTER TABLE items ALTER COLUMN v SET NOT NULL;", want: nil},
		{name: "modify on nulls", my: true, file: "ALTER TABLE items MODIFY note VARCHAR(20) NOT NULL;", want: []string{"not-null-no-default@1"}},
		{name: "modify, no nulls", my: true, file: "ALTER TABLE items MODIFY v INT NOT NULL;", want: nil},
		{name: "change on nulls", my: true, file: "ALTER TABLE items CHANGE note note VARCHAR(20) NOT NULL DEFAULT '';", want: []string{"not-null-no-default@1"}},
	})
}

func TestLintValidationLocks(t *testing.T) {
	runLintCases(t, []lintCase{
		{name: "foreign key", file: "ALTER TABLE items ADD CONSTRAINT fk FOREIGN KEY (o) REFERENCES shop.orders (id);", want: []string{"validation-locks@1"}},
		{name: "foreign key, no name", file: "ALTER TABLE items ADD FOREIGN KEY (o) REFERENCES orders (id);", want: []string{"validation-locks@1"}},
		{name: "not valid", pg: true, file: "ALTER TABLE items ADD CONSTRAINT fk FOREIGN KEY (o) REFERENCES orders (id) NOT VALID;", want: nil},
		{name: "check", pg: true, file: "ALTER TABLE items ADD CONSTRAINT c CHECK (v > 0);", want: []string{"validation-locks@1"}},
		{name: "check not valid", pg: true, file: "ALTER TABLE items ADD CHECK (v > 0) NOT VALID;", want: nil},
		{name: "check", my: true, file: "ALTER TABLE items ADD CONSTRAINT c CHECK (v > 0);", want: nil},
		{name: "validate", pg: true, file: "ALTER TABLE items VALIDATE CONSTRAINT fk;", want: nil},
		{name: "new table", file: "ALTER TABLE newt ADD FOREIGN KEY (o) REFERENCES orders (id);", want: nil},
	})
}

func TestLintUniqueOnDuplicates(t *testing.T) {
	runLintCases(t, []lintCase{
		{name: "add unique", file: "ALTER TABLE items ADD UNIQUE (email);", want: []string{"unique-on-duplicates@1"}},
		{name: "add constraint", file: "ALTER TABLE items ADD CONSTRAINT u UNIQUE (a, b);", want: []string{"unique-on-duplicates@1"}},
		{name: "unique key", my: true, file: "ALTER TABLE items ADD UNIQUE KEY u (email(10));", want: []string{"unique-on-duplicates@1"}},
		{name: "no duplicates", file: "ALTER TABLE items ADD UNIQUE (id);", want: nil},
		{name: "create index", file: "CREATE UNIQUE INDEX u ON items (email);", want: []string{"unique-on-duplicates@1"}},
		{name: "concurrently", pg: true, file: "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS u ON ONLY items USING btree (a, b DESC);", want: []string{"unique-on-duplicates@1"}},
		{name: "expression", pg: true, file: "CREATE UNIQUE INDEX u ON items (lower(email));", want: nil},
		{name: "partial", pg: true, file: "CREATE UNIQUE INDEX u ON items (email) WHERE v > 0;", want: nil},
		{name: "using index", pg: true, file: "ALTER TABLE items ADD CONSTRAINT u UNIQUE USING INDEX u_idx;", want: nil},
		{name: "not unique", file: "CREATE INDEX i ON items (email);", want: nil},
	})
}

// TestLintWaivers: a rule is waived by a comment in the statement's own
// text, before it or after its ";" on the same line; only that rule, only
// that statement. Line numbers are the statement's.
func TestLintWaivers(t *testing.T) {
	runLintCases(t, []lintCase{
		{name: "after", file: "ALTER TABLE items DROP COLUMN note; -- hotswap:allow drop-column\nDROP TABLE items;",
			want: []string{"drop-column@1(waived)", "drop-table@2"}},
		{name: "before", file: "SELECT 1;\n-- hotswap:allow drop-table\nDROP TABLE items;", want: []string{"drop-table@2(waived)"}},
		{name: "hash", my: true, file: "DROP TABLE items; # hotswap:allow drop-table", want: []string{"drop-table@1(waived)"}},
		{name: "two rules", file: "-- hotswap:allow drop-column, rename-column\nALTER TABLE items DROP COLUMN a, RENAME COLUMN b TO c;",
			want: []string{"drop-column@1(waived)", "rename-column@1(waived)"}},
		{name: "another rule", file: "ALTER TABLE items DROP COLUMN note; -- hotswap:allow drop-table", want: []string{"drop-column@1"}},
		{name: "next line", file: "ALTER TABLE items DROP COLUMN note;\n-- hotswap:allow drop-column\nSELECT 1;", want: []string{"drop-column@1"}},
		{name: "in a string", file: "ALTER TABLE items DROP COLUMN note, ADD COLUMN x VARCHAR(40) DEFAULT '-- hotswap:allow drop-column';",
			want: []string{"drop-column@1"}},
	})
}

// TestLintScan: strings, quoted names, comments and executable comments.
func TestLintScan(t *testing.T) {
	runLintCases(t, []lintCase{
		{name: "comment", file: "/* DROP TABLE items; */ SELECT 1;", want: nil},
		{name: "dollar", pg: true, file: "DO $$ BEGIN DROP TABLE items; END $$;", want: nil},
		{name: "executable", my: true, file: "/*!50000 DROP TABLE items */;", want: []string{"drop-table@1"}},
		{name: "escaped quote", my: true, file: "INSERT INTO t VALUES ('it\\'s; DROP TABLE items');", want: nil},
	})
	s := scan(`ALTER  TABLE "a""b" -- x`+"\n"+`ADD c text DEFAULT E'\'' `, true)
	if got := s.oneLine(); got != `ALTER TABLE "a""b" ADD c text DEFAULT E'\''` {
		t.Errorf("oneLine: %q", got)
	}
	if name, _ := s.ident(s.toks[2]); name != `a"b` {
		t.Errorf("ident: %q", name)
	}
}

// TestLintNarrowType: a column given a type that holds less (shorter,
// smaller, fewer digits, signed to unsigned, a string to a number, a
// date-time to a date) is flagged; a wider type, or a column not there, is
// not.
func TestLintNarrowType(t *testing.T) {
	runLintCases(t, []lintCase{
		{name: "shorter", my: true, file: "ALTER TABLE items MODIFY note VARCHAR(10);", want: []string{"narrow-type@1"}},
		{name: "longer, NOT NULL over NULLs", my: true, file: "ALTER TABLE items MODIFY COLUMN note VARCHAR(200) NOT NULL;", want: []string{"not-null-no-default@1"}},
		{name: "smaller integer", my: true, file: "ALTER TABLE items CHANGE v v SMALLINT;", want: []string{"narrow-type@1"}},
		{name: "bigger integer", my: true, file: "ALTER TABLE items MODIFY v BIGINT NOT NULL DEFAULT 0;", want: nil},
		{name: "unsigned", my: true, file: "ALTER TABLE items MODIFY v INT UNSIGNED;", want: []string{"narrow-type@1"}},
		{name: "more digits", my: true, file: "ALTER TABLE items MODIFY price DECIMAL(12,2);", want: nil},
		{name: "fewer digits", my: true, file: "ALTER TABLE items MODIFY price DECIMAL(8,2);", want: []string{"narrow-type@1"}},
		{name: "less scale", my: true, file: "ALTER TABLE items MODIFY price DECIMAL(10,1);", want: []string{"narrow-type@1"}},
		{name: "string to number", my: true, file: "ALTER TABLE items MODIFY note INT;", want: []string{"narrow-type@1"}},
		{name: "date-time to date", my: true, file: "ALTER TABLE items MODIFY created DATE;", want: []string{"narrow-type@1"}},
		{name: "to text", my: true, file: "ALTER TABLE items MODIFY note TEXT;", want: nil},
		{name: "column not there", my: true, file: "ALTER TABLE items MODIFY missing VARCHAR(1);", want: nil},
		{name: "rename and narrow", my: true, file: "ALTER TABLE items CHANGE note memo VARCHAR(10);", want: []string{"rename-column@1", "narrow-type@1"}},
		{name: "shorter", pg: true, file: "ALTER TABLE items ALTER COLUMN note TYPE varchar(10);", want: []string{"narrow-type@1"}},
		{name: "spelled out", pg: true, file: "ALTER TABLE items ALTER COLUMN note TYPE character varying(10);", want: []string{"narrow-type@1"}},
		{name: "to text", pg: true, file: "ALTER TABLE items ALTER note SET DATA TYPE text;", want: nil},
		{name: "smaller integer", pg: true, file: "ALTER TABLE items ALTER COLUMN v TYPE smallint;", want: []string{"narrow-type@1"}},
		{name: "bigger integer with USING", pg: true, file: "ALTER TABLE items ALTER v TYPE bigint USING v::bigint;", want: nil},
		{name: "fewer digits", pg: true, file: "ALTER TABLE items ALTER COLUMN price TYPE numeric(8,2);", want: []string{"narrow-type@1"}},
		{name: "to date", pg: true, file: "ALTER TABLE items ALTER created TYPE date;", want: []string{"narrow-type@1"}},
		{name: "waived", pg: true, file: "ALTER TABLE items ALTER v TYPE smallint; -- hotswap:allow narrow-type", want: []string{"narrow-type@1(waived)"}},
	})
}

// TestNarrows: the type comparison on its own.
func TestNarrows(t *testing.T) {
	for _, c := range []struct {
		from, to string
		pg       bool
		narrow   bool
	}{
		{"varchar(100)", "varchar(100)", false, false},
		{"int(11)", "int", false, false},
		{"int(10) unsigned", "bigint", false, false},
		{"int(10) unsigned", "int", false, true},
		{"tinyint(4)", "decimal(3,0)", false, false},
		{"bigint(20)", "decimal(10,0)", false, true},
		{"int(11)", "varchar(5)", false, true},
		{"int(11)", "varchar(20)", false, false},
		{"text", "varchar(255)", false, true},
		{"text", "varchar(255)", true, true},
		{"character varying", "text", true, false},
		{"numeric", "numeric(10,2)", true, true},
		{"double", "float", false, true},
		{"date", "datetime", false, false},
		{"geometry", "point", false, false}, // not judged
	} {
		if got := narrows(parseColType(c.from, c.pg), parseColType(c.to, c.pg)) != ""; got != c.narrow {
			t.Errorf("%s -> %s (pg %v): narrow %v, want %v", c.from, c.to, c.pg, got, c.narrow)
		}
	}
}
