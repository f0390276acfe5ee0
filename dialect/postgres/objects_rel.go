package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// catalogRelOID returns the OID of the table, view or other relation
// schema.name (both unquoted, exact). The queries of the object inventory and
// the cut-over work on OIDs: they are what the catalogs join on, and they do
// not change when the cut-over renames the tables.
func catalogRelOID(ctx context.Context, db Querier, schema, name string) (uint32, error) {
	var oid uint32
	err := db.QueryRowContext(ctx, `SELECT c.oid FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relname = $2`, schema, name).Scan(&oid)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("%s.%s: no such table", schema, name)
	}
	if err != nil {
		return 0, fmt.Errorf("look up %s.%s: %w", schema, name, err)
	}
	return oid, nil
}

// catalogStrings runs a query returning one text column and collects it.
func catalogStrings(ctx context.Context, db Querier, query string, args ...any) ([]string, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
