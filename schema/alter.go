package schema

import (
	"fmt"
	"strings"

	"github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"
	_ "github.com/pingcap/tidb/pkg/parser/test_driver" // value expressions in DEFAULTs
)

// Alter is what the parse tree of an ALTER TABLE tells about the data: the
// shadow's final definition comes from the server, never from here.
type Alter struct {
	Text           string            // the user's ALTER clauses, as given
	Renames        map[string]string // old column name (lower) -> new name
	Dropped        map[string]bool   // dropped column names (lower)
	RenamesTable   bool
	AddsForeignKey bool
}

// ParseMySQLAlter parses the clauses of an ALTER TABLE (without the
// "ALTER TABLE t" prefix) with the TiDB MySQL parser.
func ParseMySQLAlter(clauses string) (*Alter, error) {
	text := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(clauses), ";"))
	if text == "" {
		return nil, fmt.Errorf("--alter is empty: give the clauses, e.g. --alter \"ADD COLUMN c INT\"")
	}
	if strings.HasPrefix(strings.ToUpper(text), "ALTER ") {
		return nil, fmt.Errorf("--alter must hold only the clauses, without \"ALTER TABLE <name>\": got %q", text)
	}
	stmt, err := parser.New().ParseOneStmt("ALTER TABLE `t` "+text, "", "")
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
	}
}

func (a *Alter) rename(from, to string) {
	if !strings.EqualFold(from, to) {
		a.Renames[lower(from)] = to
	}
}

func lower(s string) string { return strings.ToLower(s) }
