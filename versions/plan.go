package versions

import (
	"context"

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
