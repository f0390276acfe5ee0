package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// ReplicaIdentityKey returns, in key order, the columns that identify a row
// of schema.table in the change stream: the primary key (REPLICA IDENTITY
// DEFAULT, or FULL, whose old row images carry every column) or the index of
// REPLICA IDENTITY USING INDEX. pgoutput sends the old key of an UPDATE only
// when these columns change, so the stream can follow no other key.
func ReplicaIdentityKey(ctx context.Context, db Querier, schema, table string) ([]string, error) {
	ident, err := replicaIdentity(ctx, db, schema, table)
	if err != nil {
		return nil, err
	}
	flag := "indisprimary"
	switch ident {
	case "n":
		return nil, fmt.Errorf("%s.%s has REPLICA IDENTITY NOTHING: its updates and deletes reach the change stream without a key; "+
			"set REPLICA IDENTITY DEFAULT (with a primary key) or USING INDEX", schema, table)
	case "i":
		flag = "indisreplident"
	}
	cols, err := indexColumns(ctx, db, schema, table, flag)
	if err != nil {
		return nil, err
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("%s.%s has no replica identity key (REPLICA IDENTITY %s and no %s): "+
			"add a primary key or set REPLICA IDENTITY USING INDEX", schema, table, identityName(ident), identityIndex(ident))
	}
	return cols, nil
}

// replicaIdentity is pg_class.relreplident: d(efault), n(othing), f(ull), i(ndex).
func replicaIdentity(ctx context.Context, db Querier, schema, table string) (string, error) {
	var ident string
	err := db.QueryRowContext(ctx, `SELECT c.relreplident::text FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relname = $2`, schema, table).Scan(&ident)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("read replica identity of %s.%s: no such table", schema, table)
	}
	if err != nil {
		return "", fmt.Errorf("read replica identity of %s.%s: %w", schema, table, err)
	}
	return ident, nil
}

// indexColumns lists the key columns (not INCLUDE columns) of the table's
// index that has flag (a boolean column of pg_index, a constant of this file).
func indexColumns(ctx context.Context, db Querier, schema, table, flag string) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT a.attname::text FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		JOIN pg_index i ON i.indrelid = c.oid
		CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
		JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
		WHERE n.nspname = $1 AND c.relname = $2 AND k.ord <= i.indnkeyatts AND i.`+flag+`
		ORDER BY k.ord`, schema, table)
	if err != nil {
		return nil, fmt.Errorf("read replica identity columns of %s.%s: %w", schema, table, err)
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, fmt.Errorf("read replica identity columns of %s.%s: %w", schema, table, err)
		}
		cols = append(cols, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read replica identity columns of %s.%s: %w", schema, table, err)
	}
	return cols, nil
}

func identityName(ident string) string {
	switch ident {
	case "f":
		return "FULL"
	case "i":
		return "USING INDEX"
	}
	return "DEFAULT"
}

func identityIndex(ident string) string {
	if ident == "i" {
		return "identity index (was it dropped?)"
	}
	return "primary key"
}
