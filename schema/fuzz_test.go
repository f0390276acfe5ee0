package schema

import (
	"maps"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/pingcap/tidb/pkg/parser/ast"
)

// alterSeeds are clauses a DBA writes, and hostile ones: quotes, backticks,
// comments, semicolons, unicode, very long names, executable comments.
var alterSeeds = []string{
	"ADD COLUMN c INT",
	"ADD COLUMN c INT DEFAULT 5 FIRST, DROP COLUMN a, MODIFY d DECIMAL(14,4), CHANGE b b2 VARCHAR(80) AFTER c, ADD INDEX ix_c (c)",
	"RENAME COLUMN b TO bb, DROP COLUMN a, ADD COLUMN a VARCHAR(10) DEFAULT 'new'",
	"RENAME COLUMN a TO b, RENAME COLUMN b TO a",
	"CHANGE a b INT, CHANGE b c INT",
	"DROP b, CHANGE a b INT",
	"DROP COLUMN IF EXISTS d",
	"CHANGE a A INT",
	"CONVERT TO CHARACTER SET utf8mb4",
	"RENAME TO x",
	"RENAME AS `x`",
	"ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES p (id)",
	"ADD FOREIGN KEY (a) REFERENCES p (id) ON DELETE CASCADE",
	"PARTITION BY HASH(id) PARTITIONS 4",
	"ENGINE=InnoDB, ALGORITHM=INPLACE, LOCK=NONE",
	"ADD c INT;",
	"ADD c INT;;  ; ",
	"ADD c INT; DROP TABLE x",
	"ADD c INT -- why\n",
	"ADD c INT -- why",
	"ADD c INT # why",
	"ADD c INT -- why\n, DROP d",
	"MODIFY v BIGINT /* widen */",
	"ADD c INT /* unterminated",
	"ADD c INT /*!, DROP d */",
	"ADD c INT /*!50000 , DROP d */",
	"ADD c INT /*M!, CHANGE a b INT */",
	"ADD c INT /*T! , DROP d */",
	"ADD c VARCHAR(10) DEFAULT '--', DROP d",
	"ADD c VARCHAR(10) DEFAULT '#', DROP d",
	"ADD c VARCHAR(10) DEFAULT 'it''s \\' \"q\" `b` ;'",
	"CHANGE `a``b` `c\"d` INT",
	"CHANGE `it's` `with space` INT, DROP `semi;colon`",
	"CHANGE `--dash` `/*star` INT, DROP `#hash`",
	"CHANGE `café_ñ_表` `CAFÉ_Ñ_表_2` INT",
	"RENAME COLUMN `😀` TO `🎉`",
	"CHANGE `" + strings.Repeat("x", 64) + "` `" + strings.Repeat("y", 64) + "` INT",
	"DROP `" + strings.Repeat("é", 64) + "`",
	"CHANGE \"a\" b INT",
	"ALTER TABLE t ADD c INT",
	"alter table t add c int",
	"",
	";",
	"   ",
	"ADD c INT, ALGORITHM=INSTANT",
	"ADD c INT AS (a + b) STORED, MODIFY a BIGINT",
	"ADD c ENUM('a','b'), ADD s SET('x','y')",
	"CHANGE COLUMN `a` `b` INT NOT NULL DEFAULT 0 COMMENT 'x,y'",
	"\x00",
	"ADD c INT\x00",
	"ADD `\xff` INT",
	"ADD c INT DEFAULT " + strings.Repeat("9", 90),
	"ADD c DECIMAL(65,30) DEFAULT 1" + strings.Repeat("0", 80) + ".5",
}

// FuzzParseMySQLAlter: any text either is refused with an error or gives an
// Alter whose renames and drops are names the text holds; the analysis is
// deterministic; Text re-parses to the same analysis; Text with
// ", ALGORITHM=INSTANT" appended (as the instant-DDL attempt sends it) keeps
// its meaning and gains that one clause; and MapColumns, on a table whose
// columns are renamed and dropped as the Alter says, feeds every kept column
// from its own data and no dropped one.
func FuzzParseMySQLAlter(f *testing.F) {
	for _, s := range alterSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, clauses string) {
		a, err := ParseMySQLAlter(clauses)
		if err != nil {
			if a != nil {
				t.Fatalf("%q: an error and a result: %v %+v", clauses, err, a)
			}
			return
		}
		if a == nil {
			t.Fatalf("%q: neither an error nor a result", clauses)
		}
		checkAlterNames(t, clauses, a)
		b, err := ParseMySQLAlter(clauses)
		if err != nil || !sameAlter(a, b) {
			t.Fatalf("%q: parsed twice, got %+v and %+v (%v)", clauses, a, b, err)
		}
		if c, err := ParseMySQLAlter(a.Text); err != nil || !sameAlter(a, c) {
			t.Fatalf("%q: Text %q re-parses to %+v (%v), want %+v", clauses, a.Text, c, err, a)
		}
		checkAppended(t, a)
		checkMapColumns(t, a)
	})
}

// checkAlterNames: every renamed or dropped name is in the text (as written,
// or with its backticks doubled), in lower case as a key, and a rename
// changes the name.
func checkAlterNames(t *testing.T, clauses string, a *Alter) {
	t.Helper()
	if strings.TrimSpace(a.Text) == "" || strings.HasSuffix(strings.TrimSpace(a.Text), ";") {
		t.Fatalf("%q: Text %q is empty or ends in a semicolon", clauses, a.Text)
	}
	if !strings.Contains(clauses, strings.TrimSpace(a.Text)) {
		t.Fatalf("%q: Text %q is not the clauses given", clauses, a.Text)
	}
	inText := func(name string) bool {
		l := lower(clauses)
		return strings.Contains(l, lower(name)) || strings.Contains(l, lower(strings.ReplaceAll(name, "`", "``")))
	}
	for from, to := range a.Renames {
		if from != lower(from) { // an empty name (``) parses; the server refuses it
			t.Fatalf("%q: rename %q -> %q: keys are lower case", clauses, from, to)
		}
		if strings.EqualFold(from, to) {
			t.Fatalf("%q: rename %q -> %q changes only the case", clauses, from, to)
		}
		if !inText(from) || !inText(to) {
			t.Fatalf("%q: rename %q -> %q names what the text does not hold", clauses, from, to)
		}
	}
	for d := range a.Dropped {
		if d != lower(d) || !inText(d) {
			t.Fatalf("%q: dropped %q is not a lower-case name from the text", clauses, d)
		}
	}
	lt := lower(clauses)
	if a.RenamesTable && !strings.Contains(lt, "rename") {
		t.Fatalf("%q: RenamesTable without RENAME", clauses)
	}
	if a.AddsForeignKey && !strings.Contains(lt, "foreign") {
		t.Fatalf("%q: AddsForeignKey without FOREIGN", clauses)
	}
}

// checkAppended: the engine's "ALTER TABLE t <Text>, ALGORITHM=INSTANT" must
// mean Text plus that clause. If it does not parse, the server refuses it
// too and the run stops before changing anything, which is harmless.
func checkAppended(t *testing.T, a *Alter) {
	t.Helper()
	stmt, err := parseOne("ALTER TABLE `t` " + a.Text + ", ALGORITHM=INSTANT")
	if err != nil {
		return
	}
	at, ok := stmt.(*ast.AlterTableStmt)
	if !ok || len(at.Specs) == 0 {
		t.Fatalf("Text %q with ALGORITHM appended is no ALTER TABLE", a.Text)
	}
	last := at.Specs[len(at.Specs)-1]
	if last.Tp != ast.AlterTableAlgorithm || last.Algorithm != ast.AlgorithmTypeInstant {
		t.Fatalf("Text %q swallows the appended \", ALGORITHM=INSTANT\" (last clause %v)", a.Text, last.Tp)
	}
	b := &Alter{Renames: map[string]string{}, Dropped: map[string]bool{}}
	for _, spec := range at.Specs {
		b.addSpec(spec)
	}
	b.Text = a.Text
	if !sameAlter(a, b) {
		t.Fatalf("Text %q means %+v alone but %+v with ALGORITHM appended", a.Text, a, b)
	}
}

// checkMapColumns applies the Alter's renames and drops to a table made of
// the names it mentions plus an id, as the server would, and checks the pairs.
func checkMapColumns(t *testing.T, a *Alter) {
	t.Helper()
	src := &Table{Name: "t", Columns: []Column{{Name: "id"}}}
	seen := map[string]bool{"id": true}
	addSrc := func(n string) {
		if !seen[n] {
			seen[n] = true
			src.Columns = append(src.Columns, Column{Name: n})
		}
	}
	for from := range a.Renames {
		addSrc(from)
	}
	for d := range a.Dropped {
		addSrc(d)
	}
	dst := &Table{Name: "_t_new"}
	want := map[string]string{} // target (lower) -> source
	taken := map[string]bool{}
	for _, c := range src.Columns {
		if a.Dropped[c.Name] {
			if a.Renames[c.Name] != "" {
				return // dropped and renamed: the server refuses it
			}
			continue
		}
		target := c.Name
		if r := a.Renames[c.Name]; r != "" {
			target = r
		}
		if taken[lower(target)] {
			return // two columns of one name: the server refuses it
		}
		taken[lower(target)] = true
		dst.Columns = append(dst.Columns, Column{Name: target})
		want[lower(target)] = c.Name
	}
	if !utf8.ValidString(a.Text) {
		return // names of invalid UTF-8 fold unpredictably; the server refuses them
	}
	pairs := MapColumns(src, dst, a)
	got := map[string]string{}
	for _, p := range pairs {
		got[lower(p.Target)] = p.Source
	}
	for target, source := range want {
		// a kept column whose name another column's old name folds to is
		// ambiguous for the server as well: skip those
		if got[target] != source && !foldsToOther(target, src) {
			t.Fatalf("Text %q: shadow column %q fed from %q, want %q (pairs %v)", a.Text, target, got[target], source, pairs)
		}
	}
	for _, p := range pairs {
		if a.Dropped[lower(p.Source)] {
			t.Fatalf("Text %q: dropped column %q feeds %q", a.Text, p.Source, p.Target)
		}
	}
}

// foldsToOther says whether name matches more than one source column
// case-insensitively (EqualFold and ToLower disagree on a few runes).
func foldsToOther(name string, src *Table) bool {
	n := 0
	for _, c := range src.Columns {
		if strings.EqualFold(c.Name, name) {
			n++
		}
	}
	return n > 1
}

func sameAlter(a, b *Alter) bool {
	return a.Text == b.Text && a.RenamesTable == b.RenamesTable && a.AddsForeignKey == b.AddsForeignKey && a.DropsForeignKey == b.DropsForeignKey &&
		maps.Equal(a.Renames, b.Renames) && maps.Equal(a.Dropped, b.Dropped)
}

// TestParseMySQLAlterComments: a trailing line comment cannot swallow what
// the engine appends, and executable comments, which the server and the
// parser do not run alike, are refused.
func TestParseMySQLAlterComments(t *testing.T) {
	for _, s := range []string{"ADD c INT -- why", "ADD c INT # why", "ADD c VARCHAR(3) DEFAULT '--'"} {
		a, err := ParseMySQLAlter(s)
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		checkAppended(t, a)
	}
	for _, s := range []string{"ADD c INT /*!, DROP d */", "ADD c INT /*!50000 , DROP d */",
		"ADD c INT /*M!, CHANGE a b INT */", "ADD c INT /*T! , DROP d */", "ADD c INT /*m!, DROP d */"} {
		if a, err := ParseMySQLAlter(s); err == nil {
			t.Errorf("%q accepted: %+v", s, a)
		}
	}
	for _, s := range []string{"ADD c INT;;", "ADD c INT ; ; "} {
		a, err := ParseMySQLAlter(s)
		if err != nil || a.Text != "ADD c INT" {
			t.Errorf("%q: %+v %v, want Text \"ADD c INT\"", s, a, err)
		}
	}
	if a, err := ParseMySQLAlter("MODIFY v BIGINT /* widen */"); err != nil || a.Text != "MODIFY v BIGINT /* widen */" {
		t.Errorf("a closed comment: %+v %v", a, err)
	}
}

// FuzzDerivedName: never longer than maxLen, deterministic, valid UTF-8 for
// a valid UTF-8 table, the plain "_<table>_<suffix>" when that fits, and two
// different tables never get one name (the hash keeps long ones with one
// prefix apart) when maxLen leaves room for the hash and the suffix.
func FuzzDerivedName(f *testing.F) {
	long := strings.Repeat("x", 64)
	for _, seed := range []struct {
		a, b, suffix string
		maxLen       int
	}{
		{"orders", "Orders", "new", 64},
		{long, long[:63] + "y", "new", 64},
		{long, long[:63] + "y", "old", 63},
		{strings.Repeat("é", 32), strings.Repeat("é", 31) + "e", "new", 63},
		{strings.Repeat("表", 21), strings.Repeat("表", 20) + "x", "probe", 63},
		{"café_ñ_表" + long, "café_ñ_表" + long + "2", "hb", 64},
		{"a`b\"c'd e--f/*g;h", "a`b\"c'd e--f/*g;i", "new", 64},
		{"😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀", "😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😁", "new", 63},
		{"t", "u", "new", 5},
		{"t", "u", "new", 0},
		{"\xff\xfe" + long, "\xff\xfd" + long, "new", 64},
	} {
		f.Add(seed.a, seed.b, seed.suffix, seed.maxLen)
	}
	f.Fuzz(func(t *testing.T, a, b, suffix string, maxLen int) {
		if maxLen < 0 || maxLen > 1024 {
			maxLen = 64
		}
		x, y := DerivedName(a, suffix, maxLen), DerivedName(b, suffix, maxLen)
		if len(x) > maxLen || len(y) > maxLen {
			t.Fatalf("DerivedName(%q, %q, %d) = %q (%d bytes): too long", a, suffix, maxLen, x, len(x))
		}
		if x != DerivedName(a, suffix, maxLen) {
			t.Fatalf("DerivedName(%q, %q, %d) is not deterministic", a, suffix, maxLen)
		}
		if utf8.ValidString(a) && utf8.ValidString(suffix) && !utf8.ValidString(x) {
			t.Fatalf("DerivedName(%q, %q, %d) = %q is not valid UTF-8", a, suffix, maxLen, x)
		}
		plain := "_" + a + "_" + suffix
		if len(plain) <= maxLen && x != plain {
			t.Fatalf("DerivedName(%q, %q, %d) = %q, want %q", a, suffix, maxLen, x, plain)
		}
		room := maxLen >= len("__12345678_"+suffix)
		if room && len(plain) > maxLen && !strings.HasSuffix(x, "_"+suffix) {
			t.Fatalf("DerivedName(%q, %q, %d) = %q lost its suffix", a, suffix, maxLen, x)
		}
		if room && a != b && x == y {
			t.Fatalf("tables %q and %q both get %q (maxLen %d)", a, b, x, maxLen)
		}
	})
}

// typeUsingRegexp is the check migration's PostgreSQL preflight used: right
// only for clauses without parentheses, strings, quoted names and comments.
var typeUsingRegexp = regexp.MustCompile(`(?is)\bTYPE\b[^,]*\bUSING\b`)

var postgresTypeUsingCases = map[string]bool{
	"ALTER COLUMN a TYPE bigint USING a * 2":                                     true,
	"ALTER COLUMN a SET DATA TYPE int USING a::int":                              true,
	"alter column a type numeric(10,2) using a / 100":                            true, // the comma in numeric(10,2) hid it from the regexp
	"ALTER COLUMN a TYPE bigint /* , */ USING a * 2":                             true,
	"ALTER COLUMN a TYPE bigint -- ,\n USING a * 2":                              true,
	"ALTER COLUMN \"x,y\" TYPE int USING \"x,y\"::int":                           true,
	"ALTER COLUMN a TYPE text USING a || ','":                                    true,
	"ADD d text DEFAULT E'it\\'s,', ALTER a TYPE int USING 1":                    true,
	"ADD d text DEFAULT $q$,'$q$, ALTER a TYPE int USING 1":                      true,
	"ALTER COLUMN a TYPE text, ADD COLUMN b int":                                 false,
	"ALTER COLUMN a TYPE bigint, ADD CONSTRAINT x EXCLUDE USING gist (c WITH =)": false,
	"ADD COLUMN c text DEFAULT 'TYPE x USING y'":                                 false, // the regexp refused this one
	"ALTER COLUMN \"type\" SET DEFAULT 'using'":                                  false,
	"ALTER COLUMN a TYPE int /* USING a */":                                      false,
	"ALTER COLUMN a TYPE int -- USING a":                                         false,
	"ADD COLUMN c text DEFAULT $$ TYPE USING $$":                                 false,
	"ADD COLUMN c text DEFAULT E'\\' TYPE USING '":                               false,
	"ADD COLUMN typeusing int, ADD COLUMN using_x int":                           false,
	"ALTER COLUMN a TYPE int /* /* nested */ USING */":                           false,
}

func TestPostgresTypeUsing(t *testing.T) {
	for clauses, want := range postgresTypeUsingCases {
		if got := PostgresTypeUsing(clauses); got != want {
			t.Errorf("PostgresTypeUsing(%q) = %v, want %v", clauses, got, want)
		}
	}
}

// FuzzPostgresTypeUsing: never panics; on clauses of plain words, spaces
// and commas it agrees with the regexp; and a comment in place of a space
// (even one holding a comma or USING) changes nothing.
func FuzzPostgresTypeUsing(f *testing.F) {
	for clauses := range postgresTypeUsingCases {
		f.Add(clauses)
	}
	f.Add("ALTER COLUMN a TYPE int USING a, ADD b int")
	f.Add("ADD type int, ALTER using TYPE int")
	f.Fuzz(func(t *testing.T, clauses string) {
		got := PostgresTypeUsing(clauses)
		if strings.Trim(clauses, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_ ,\n\t") != "" {
			return
		}
		if re := typeUsingRegexp.MatchString(clauses); got != re {
			t.Fatalf("PostgresTypeUsing(%q) = %v, the regexp says %v", clauses, got, re)
		}
		for _, comment := range []string{" /* , USING */ ", " -- , USING\n", " /* /* , */ USING */ "} {
			if c := strings.ReplaceAll(clauses, " ", comment); PostgresTypeUsing(c) != got {
				t.Fatalf("PostgresTypeUsing(%q) = %v, but %v with comments: %q", clauses, got, !got, c)
			}
		}
	})
}
