package migration_test

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// catalogueDir holds the ALTER catalogue: testdata/alter/<engine>/<case>/.
const catalogueDir = "../testdata/alter"

// catalogueCase is one folder of the catalogue (see testdata/alter/README.md).
type catalogueCase struct {
	name     string
	create   []string // statements that make and fill t
	alter    string   // the --alter clauses
	writes   []string // statements run during the migration, on both copies
	refused  bool     // the run must be refused before any change
	fails    bool     // the run must fail, as the server's own ALTER does
	messages []string // substrings the refusal or failure must hold (any case)
	sqlMode  string   // MySQL: the global sql_mode during the case
	timeZone string   // the server's (MySQL) or the databases' (PostgreSQL) time zone
}

// loadCatalogue reads every case folder of an engine, in name order.
func loadCatalogue(t *testing.T, engine string) []catalogueCase {
	t.Helper()
	dirs, err := os.ReadDir(filepath.Join(catalogueDir, engine))
	if err != nil {
		t.Fatalf("catalogue: %v", err)
	}
	var cases []catalogueCase
	for _, d := range dirs {
		if d.IsDir() {
			cases = append(cases, readCase(t, filepath.Join(catalogueDir, engine, d.Name())))
		}
	}
	sort.Slice(cases, func(i, j int) bool { return cases[i].name < cases[j].name })
	if len(cases) == 0 {
		t.Fatalf("catalogue: no case in %s", filepath.Join(catalogueDir, engine))
	}
	return cases
}

func readCase(t *testing.T, dir string) catalogueCase {
	t.Helper()
	c := catalogueCase{name: filepath.Base(dir)}
	c.create = splitStatements(caseFile(t, dir, "create.sql", true))
	c.alter = strings.TrimSpace(caseFile(t, dir, "alter.sql", true))
	c.writes = splitStatements(caseFile(t, dir, "writes.sql", false))
	c.sqlMode = strings.TrimSpace(caseFile(t, dir, "sql_mode", false))
	c.timeZone = strings.TrimSpace(caseFile(t, dir, "time_zone", false))
	expect := strings.Split(strings.TrimSpace(caseFile(t, dir, "expect", true)), "\n")
	switch strings.TrimSpace(expect[0]) {
	case "migrates":
	case "refused", "fails":
		c.refused, c.fails = expect[0] == "refused", expect[0] == "fails"
		for _, m := range expect[1:] {
			if m = strings.TrimSpace(m); m != "" {
				c.messages = append(c.messages, m)
			}
		}
	default:
		t.Fatalf("%s/expect: first line %q, want migrates, refused or fails", dir, expect[0])
	}
	if len(c.create) == 0 || c.alter == "" {
		t.Fatalf("%s: create.sql and alter.sql must not be empty", dir)
	}
	return c
}

func caseFile(t *testing.T, dir, name string, required bool) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if os.IsNotExist(err) && !required {
		return ""
	}
	if err != nil {
		t.Fatalf("catalogue case: %v", err)
	}
	return string(b)
}

// splitStatements splits SQL at semicolons that end a line; lines that
// start with "--" are comments. A statement may span lines.
func splitStatements(sql string) []string {
	var stmts []string
	var cur []string
	for _, line := range strings.Split(sql, "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "--") {
			continue
		}
		cur = append(cur, line)
		if strings.HasSuffix(trimmed, ";") {
			stmt := strings.TrimSpace(strings.Join(cur, "\n"))
			stmts = append(stmts, strings.TrimSuffix(stmt, ";"))
			cur = nil
		}
	}
	if rest := strings.TrimSpace(strings.Join(cur, "\n")); rest != "" {
		stmts = append(stmts, rest)
	}
	return stmts
}
