package workload

import (
	"context"
	"database/sql"
	"fmt"
)

// pgIndexesQuery lists key columns (not INCLUDE ones) of every index, the
// primary key first, then in creation order. Expression parts have no
// attribute (attname NULL) and make the index functional. A partial
// unique index does not make its columns unique, so it counts as
// non-unique.
const pgIndexesQuery = `SELECT ic.relname, i.indisprimary, i.indisunique AND i.indpred IS NULL,
 k.ord, a.attname
 FROM pg_index i
 JOIN pg_class c ON c.oid = i.indrelid
 JOIN pg_namespace n ON n.oid = c.relnamespace
 JOIN pg_class ic ON ic.oid = i.indexrelid
 CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
 LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
 WHERE n.nspname = $1 AND c.relname = $2 AND k.ord <= i.indnkeyatts
 ORDER BY i.indisprimary DESC, i.indexrelid, k.ord`

// indexes reads the table's indexes from pg_index. Index names are what
// unique_violation errors report as ConstraintName.
func (d pgDialect) indexes(ctx context.Context, db *sql.DB, schema, table string) ([]index, error) {
	rows, err := db.QueryContext(ctx, pgIndexesQuery, schema, table)
	if err != nil {
		return nil, fmt.Errorf("querying indexes of %s: %w", qualify(d, schema, table), err)
	}
	defer rows.Close()
	var order []string
	var primary string
	parts := map[string][]indexPart{}
	unique := map[string]bool{}
	for rows.Next() {
		var (
			name            string
			isPrimary, uniq bool
			p               indexPart
			col             sql.NullString
		)
		if err := rows.Scan(&name, &isPrimary, &uniq, &p.seq, &col); err != nil {
			return nil, fmt.Errorf("scanning indexes of %s: %w", qualify(d, schema, table), err)
		}
		if _, seen := parts[name]; !seen {
			order = append(order, name)
		}
		if isPrimary {
			primary = name
		}
		p.col = col.String
		parts[name] = append(parts[name], p)
		unique[name] = uniq
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading indexes of %s: %w", qualify(d, schema, table), err)
	}
	return buildIndexes(order, parts, unique, primary), nil
}
