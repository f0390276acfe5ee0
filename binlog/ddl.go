package binlog

import (
	"fmt"
	"strings"

	"github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// checkForeignDDL fails the stream when a statement in the binlog changes the
// table being migrated (ALTER, DROP, RENAME, TRUNCATE by another session):
// the shadow would no longer match it.
func checkForeignDDL(defaultSchema, query, database, table string) error {
	head := strings.ToUpper(strings.TrimSpace(query))
	if head == "BEGIN" || head == "COMMIT" || !strings.Contains(strings.ToLower(query), strings.ToLower(table)) {
		return nil
	}
	stmts, _, err := parser.New().Parse(query, "", "")
	if err != nil {
		return nil // not a statement the parser knows: DDL it can't read is not ours to judge
	}
	for _, st := range stmts {
		if _, ok := st.(ast.DDLNode); !ok {
			continue
		}
		v := &tableNames{}
		st.Accept(v)
		for _, tn := range v.names {
			sch := tn.Schema.O
			if sch == "" {
				sch = defaultSchema
			}
			if sch == database && tn.Name.O == table {
				return fmt.Errorf("table %s.%s was changed by another session while hotswap followed it (%q): the run stops", database, table, query)
			}
		}
	}
	return nil
}

type tableNames struct{ names []*ast.TableName }

func (v *tableNames) Enter(n ast.Node) (ast.Node, bool) {
	if tn, ok := n.(*ast.TableName); ok {
		v.names = append(v.names, tn)
	}
	return n, false
}

func (v *tableNames) Leave(n ast.Node) (ast.Node, bool) { return n, true }
