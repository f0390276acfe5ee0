package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// DeferIndexes drops the shadow's plain secondary indexes and returns the
// statements that build them again: one sorted CREATE INDEX after the copy
// is faster than maintaining each index row by row during it. The primary
// key and unique indexes stay (the resync needs the key, and a duplicate
// must surface as soon as it is copied); so do indexes behind constraints,
// and the index the table is clustered on (CLUSTER ON, which a rebuilt index
// would lose).
func DeferIndexes(ctx context.Context, db Querier, schema, shadow string) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT c.relname::text, pg_get_indexdef(i.indexrelid)
		FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
		WHERE i.indrelid = $1::regclass AND NOT i.indisprimary AND NOT i.indisunique AND NOT i.indisclustered
			AND NOT EXISTS (SELECT FROM pg_constraint con WHERE con.conindid = i.indexrelid)
		ORDER BY i.indexrelid`, pgx.Identifier{schema, shadow}.Sanitize())
	if err != nil {
		return nil, fmt.Errorf("read the shadow's secondary indexes: %w", err)
	}
	type index struct{ name, def string }
	var found []index
	for rows.Next() {
		var ix index
		if err := rows.Scan(&ix.name, &ix.def); err != nil {
			rows.Close()
			return nil, err
		}
		found = append(found, ix)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var builds []string
	for _, ix := range found {
		if _, err := db.ExecContext(ctx, "DROP INDEX "+pgx.Identifier{schema, ix.name}.Sanitize()); err != nil {
			return nil, fmt.Errorf("drop shadow index %s until the copy is done: %w", ix.name, err)
		}
		builds = append(builds, ifNotExists(ix.def))
	}
	return builds, nil
}

// ifNotExists makes an index definition (pg_get_indexdef: "CREATE INDEX
// name ON ...") harmless to run again: a resumed run may find the index
// built by the server after its client died.
func ifNotExists(def string) string {
	for _, head := range []string{"CREATE INDEX ", "CREATE UNIQUE INDEX "} {
		if strings.HasPrefix(def, head) {
			return head + "IF NOT EXISTS " + def[len(head):]
		}
	}
	return def
}
