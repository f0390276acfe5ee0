package versions

import (
	"context"
	"fmt"
	"regexp"

	"github.com/hotswap/hotswap/engine"
	"github.com/hotswap/hotswap/migration"
)

// plan is how one statement runs.
type plan struct {
	method                 string
	schema, table, clauses string      // an ALTER TABLE's
	rows, bytes            int64       // the table's estimated rows and size
	change                 *dataChange // an UPDATE's or DELETE's
}

// method chooses: an ALTER TABLE of a big table (at least OnlineRows rows
// or OnlineBytes: the size catches a table whose statistics are missing or
// stale) runs online; an UPDATE or DELETE of a big table runs as a
// background backfill when it can be chunked (one that cannot is the
// lint's unchunkable-change: run directly only when waived); everything
// else (a smaller table, CREATE, DROP, RENAME, INSERT, ...) runs directly,
// as the engine's client would.
func (r *runner) method(ctx context.Context, st engine.Statement) (plan, error) {
	schema, table, clauses, ok := r.db.ParseAlterTable(st.SQL)
	if !ok && alterTableLike.MatchString(st.SQL) {
		return plan{}, fmt.Errorf("line %d: an ALTER of a table hotswap cannot run online (ALTER IGNORE, ALTER ONLINE, a name it cannot read): "+
			"it would run directly and block the table; write it as ALTER TABLE name clauses, or run it by hand and record the version with `hotswap migrate mark`", st.Line)
	}
	if !ok {
		return r.dataMethod(ctx, st)
	}
	rows, bytes, exists, err := r.db.Size(ctx, schema, table)
	if err != nil {
		return plan{}, err
	}
	p := plan{method: methodDirect, schema: schema, table: table, clauses: clauses, rows: rows, bytes: bytes}
	if exists && r.big(rows, bytes) {
		p.method = methodOnline
	}
	return p, nil
}

// dataMethod chooses for a statement that is no ALTER TABLE: a backfill for
// a chunkable UPDATE or DELETE of a big table, else directly.
func (r *runner) dataMethod(ctx context.Context, st engine.Statement) (plan, error) {
	d, ok := parseDataChange(scan(st.SQL, r.cfg.Engine == migration.EnginePostgres))
	if !ok || d.table == "" {
		return plan{method: methodDirect}, nil
	}
	rows, bytes, exists, err := r.db.Size(ctx, d.schema, d.table)
	if err != nil {
		return plan{}, err
	}
	p := plan{method: methodDirect, schema: d.schema, table: d.table, rows: rows, bytes: bytes, change: &d}
	if exists && r.big(rows, bytes) && d.unchunkable == "" {
		p.method = methodBackfill
	}
	return p, nil
}

// big says whether a table of this size is changed online (or in chunks).
func (r *runner) big(rows, bytes int64) bool {
	return rows >= r.cfg.OnlineRows || bytes >= r.cfg.OnlineBytes
}

// alterTableLike is an ALTER of a table in any spelling (after comments):
// one ParseAlterTable does not read must not run directly by mistake.
var alterTableLike = regexp.MustCompile(`(?is)^(\s|--[^\n]*\n|#[^\n]*\n|/\*.*?\*/)*ALTER\s+(\w+\s+)?TABLE\b`)
