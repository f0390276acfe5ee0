package versions

import (
	"context"
	"fmt"
	"regexp"

	"github.com/hotswap/hotswap/engine"
)

// plan is how one statement runs.
type plan struct {
	method                 string
	schema, table, clauses string // an ALTER TABLE's
	rows, bytes            int64  // the table's estimated rows and size
}

// method chooses: an ALTER TABLE of a table of at least OnlineRows rows or
// OnlineBytes (the size catches a table whose statistics are missing or
// stale) runs online; everything else (a smaller table, CREATE, DROP,
// RENAME, INSERT, UPDATE, ...) runs directly, as the engine's client would.
func (r *runner) method(ctx context.Context, st engine.Statement) (plan, error) {
	schema, table, clauses, ok := r.db.ParseAlterTable(st.SQL)
	if !ok && alterTableLike.MatchString(st.SQL) {
		return plan{}, fmt.Errorf("line %d: an ALTER of a table hotswap cannot run online (ALTER IGNORE, ALTER ONLINE, a name it cannot read): "+
			"it would run directly and block the table; write it as ALTER TABLE name clauses, or run it by hand and record the version with `hotswap migrate mark`", st.Line)
	}
	if !ok {
		return plan{method: methodDirect}, nil
	}
	rows, bytes, exists, err := r.db.Size(ctx, schema, table)
	if err != nil {
		return plan{}, err
	}
	p := plan{method: methodDirect, schema: schema, table: table, clauses: clauses, rows: rows, bytes: bytes}
	if exists && (rows >= r.cfg.OnlineRows || bytes >= r.cfg.OnlineBytes) {
		p.method = methodOnline
	}
	return p, nil
}

// alterTableLike is an ALTER of a table in any spelling (after comments):
// one ParseAlterTable does not read must not run directly by mistake.
var alterTableLike = regexp.MustCompile(`(?is)^(\s|--[^\n]*\n|#[^\n]*\n|/\*.*?\*/)*ALTER\s+(\w+\s+)?TABLE\b`)
