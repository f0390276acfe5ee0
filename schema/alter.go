package schema

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"
	_ "github.com/pingcap/tidb/pkg/parser/test_driver" // value expressions in DEFAULTs
)

// Alter is what the parse tree of an ALTER TABLE tells about the data: the
// shadow's final definition comes from the server, never from here.
type Alter struct {
	// Text is the user's ALTER clauses, as given (without trailing
	// semicolons), safe to put more clauses after: when its last line holds
	// a "--" or "#" comment, it ends with a newline, so that ", ALGORITHM=..."
	// appended by the engine is not commented out.
	Text           string
	Renames        map[string]string // old column name (lower) -> new name
	Dropped        map[string]bool   // dropped column names (lower)
	RenamesTable   bool
	AddsForeignKey bool
	// DropsForeignKey: a DROP FOREIGN KEY clause (the shadow carries the
	// table's keys under other names).
	DropsForeignKey bool
	// AutoIncrement is the counter the ALTER sets (AUTO_INCREMENT = N, the
	// last one when it names several), nil when it sets none: the server
	// ends such an ALTER with max(N, max(column)+1), not the old counter.
	AutoIncrement *uint64
}

// hasAlterTablePrefix says whether text starts as a whole statement does:
// ALTER [ONLINE|IGNORE] TABLE. ALTER COLUMN is a clause.
func hasAlterTablePrefix(text string) bool {
	f := strings.Fields(strings.ToUpper(text))
	if len(f) < 2 || f[0] != "ALTER" {
		return false
	}
	return f[1] == "TABLE" || f[1] == "ONLINE" || f[1] == "IGNORE"
}

// ParseMySQLAlter parses the clauses of an ALTER TABLE (without the
// "ALTER TABLE t" prefix) with the TiDB MySQL parser.
//
// Executable comments (/*! ... */, /*M! ... */, /*T! ... */) are refused:
// the server and this parser do not agree on which of them run, so the
// analysis (renames, drops) could differ from what the server does.
func ParseMySQLAlter(clauses string) (*Alter, error) {
	text := strings.TrimSpace(clauses)
	for strings.HasSuffix(text, ";") {
		text = strings.TrimSpace(strings.TrimSuffix(text, ";"))
	}
	if text == "" {
		return nil, fmt.Errorf("--alter is empty: give the clauses, e.g. --alter \"ADD COLUMN c INT\"")
	}
	if hasAlterTablePrefix(text) {
		return nil, fmt.Errorf("--alter must hold only the clauses, without \"ALTER TABLE <name>\": got %q", text)
	}
	if !utf8.ValidString(text) {
		// the parser reads bad bytes in a name as "?", the server refuses them
		return nil, fmt.Errorf("--alter %q is not valid UTF-8", text)
	}
	if strings.ContainsRune(text, 0) {
		// the parser stops at a NUL byte: what follows would go unread here,
		// and clauses appended after it would be lost
		return nil, fmt.Errorf("--alter %q holds a NUL byte", text)
	}
	if c := executableComment(text); c != "" {
		return nil, fmt.Errorf("--alter %q holds an executable comment %s...*/: write its clauses plainly, or drop the comment", text, c)
	}
	if endsInLineComment(text) {
		text += "\n"
	}
	stmt, err := parseOne("ALTER TABLE `t` " + forTheParser(text))
	if err != nil {
		return nil, fmt.Errorf("parse --alter %q: %w", text, err)
	}
	at, ok := stmt.(*ast.AlterTableStmt)
	if !ok {
		return nil, fmt.Errorf("--alter %q is not an ALTER TABLE clause list", text)
	}
	a := &Alter{Text: text, Renames: map[string]string{}, Dropped: map[string]bool{}}
	for _, spec := range at.Specs {
		a.addSpec(spec)
	}
	return a, nil
}

// parseOne parses one statement. The parser knows only a few character sets
// and collations: a name it does not know is taught to it and the statement
// parsed again, since the server, which applies the ALTER to the empty shadow
// before anything else changes, is the judge of the names it supports.
func parseOne(sql string) (ast.StmtNode, error) {
	parseMu.Lock()
	defer parseMu.Unlock()
	for taught := 0; ; taught++ {
		stmt, err := parseOnce(sql)
		if err == nil || taught == maxTaughtNames || !teachName(err) {
			return stmt, err
		}
	}
}

// parseOnce parses one statement. The parser panics on some input (a number
// too long for the decimal type of its value driver, e.g. 90 digits): that
// is an error here, not a crash of the run.
func parseOnce(sql string) (stmt ast.StmtNode, err error) {
	defer func() {
		if p := recover(); p != nil {
			stmt, err = nil, fmt.Errorf("the parser failed: %v", p)
		}
	}()
	return parser.New().ParseOneStmt(sql, "", "")
}

func (a *Alter) addSpec(spec *ast.AlterTableSpec) {
	switch spec.Tp {
	case ast.AlterTableRenameTable:
		a.RenamesTable = true
	case ast.AlterTableDropColumn:
		a.Dropped[lower(spec.OldColumnName.Name.O)] = true
	case ast.AlterTableChangeColumn:
		if len(spec.NewColumns) == 1 {
			a.rename(spec.OldColumnName.Name.O, spec.NewColumns[0].Name.Name.O)
		}
	case ast.AlterTableRenameColumn:
		a.rename(spec.OldColumnName.Name.O, spec.NewColumnName.Name.O)
	case ast.AlterTableAddConstraint:
		if spec.Constraint != nil && spec.Constraint.Tp == ast.ConstraintForeignKey {
			a.AddsForeignKey = true
		}
	case ast.AlterTableDropForeignKey:
		a.DropsForeignKey = true
	case ast.AlterTableOption:
		for _, o := range spec.Options {
			if o.Tp == ast.TableOptionAutoIncrement {
				n := o.UintValue
				a.AutoIncrement = &n
			}
		}
	}
}

func (a *Alter) rename(from, to string) {
	if !strings.EqualFold(from, to) {
		a.Renames[lower(from)] = to
	}
}

func lower(s string) string { return strings.ToLower(s) }

// executableComment returns the start of the first executable comment in s
// ("/*!", "/*M!" or "/*T!"), or "". It looks at the bare text, strings
// included: refusing a DEFAULT '/*!' is better than guessing the quoting.
func executableComment(s string) string {
	for i := strings.Index(s, "/*"); i >= 0; i = next(s, i+2, "/*") {
		rest := s[i+2:]
		switch {
		case strings.HasPrefix(rest, "!"):
			return "/*!"
		case len(rest) > 1 && rest[1] == '!' && strings.ContainsRune("MmTt", rune(rest[0])):
			return s[i : i+4]
		}
	}
	return ""
}

// next is the index of sub in s at or after from, or -1.
func next(s string, from int, sub string) int {
	if i := strings.Index(s[from:], sub); i >= 0 {
		return from + i
	}
	return -1
}

// endsInLineComment says whether the last line of s may end inside a "--"
// or "#" comment (or merely holds those characters in a string): then
// anything appended on the same line could be commented out.
func endsInLineComment(s string) bool {
	last := s[strings.LastIndexByte(s, '\n')+1:]
	return strings.Contains(last, "--") || strings.Contains(last, "#")
}
