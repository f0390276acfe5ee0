package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Column is one live (not dropped) column as the catalog describes it.
type Column struct {
	Name string
	Type string // format_type(atttypid, atttypmod), e.g. "character varying(20)"
	// Collation is the column's collation as regcollation prints it, quoted
	// where needed (`"default"`, `"C"`, `public.de_phonebook`), or "" for
	// types without one: a change of it can reorder text keys.
	Collation string
	NotNull   bool
	Generated bool // GENERATED ALWAYS AS (...) STORED: the server computes it
	Identity  bool // GENERATED ... AS IDENTITY
	Num       int  // attnum: survives RENAME COLUMN and ALTER COLUMN TYPE
}

// Table is a relation and the parts of its definition a run needs.
type Table struct {
	Schema, Name string
	OID          uint32
	Kind         string   // pg_class.relkind: r table, p partitioned, v view, m matview, f foreign, ...
	Columns      []Column // not dropped, by attnum
	Key          []string // primary key columns in key order; nil if none
	// Uniques are the key columns of each valid unique index on plain
	// columns only, without a predicate (the primary key's included), in
	// index order: the keys that identify a row.
	Uniques [][]string
}

// Types maps each column name to its format_type() text, as Rows takes them.
func (t *Table) Types() map[string]string {
	m := make(map[string]string, len(t.Columns))
	for _, c := range t.Columns {
		m[c.Name] = c.Type
	}
	return m
}

// LoadTable reads schema.table (names exact, unquoted) from the catalog; it
// returns nil, nil when no relation has that name.
func LoadTable(ctx context.Context, db Querier, schema, table string) (*Table, error) {
	t := &Table{Schema: schema, Name: table}
	err := db.QueryRowContext(ctx, `SELECT c.oid, c.relkind::text FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relname = $2`, schema, table).Scan(&t.OID, &t.Kind)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("look up %s.%s: %w", schema, table, err)
	}
	if t.Columns, err = tableColumns(ctx, db, t.OID); err != nil {
		return nil, fmt.Errorf("read the columns of %s.%s: %w", schema, table, err)
	}
	if t.Key, err = tablePrimaryKey(ctx, db, t.OID); err != nil {
		return nil, fmt.Errorf("read the primary key of %s.%s: %w", schema, table, err)
	}
	if t.Uniques, err = tableUniqueKeys(ctx, db, t.OID); err != nil {
		return nil, fmt.Errorf("read the unique indexes of %s.%s: %w", schema, table, err)
	}
	return t, nil
}

func tableColumns(ctx context.Context, db Querier, oid uint32) ([]Column, error) {
	rows, err := db.QueryContext(ctx, `SELECT a.attname::text, format_type(a.atttypid, a.atttypmod),
		CASE WHEN a.attcollation <> 0 THEN a.attcollation::regcollation::text ELSE '' END,
		a.attnotnull, a.attgenerated <> '', a.attidentity <> '', a.attnum
		FROM pg_attribute a WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped
		ORDER BY a.attnum`, oid)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cols []Column
	for rows.Next() {
		var c Column
		if err := rows.Scan(&c.Name, &c.Type, &c.Collation, &c.NotNull, &c.Generated, &c.Identity, &c.Num); err != nil {
			return nil, err
		}
		cols = append(cols, c)
	}
	return cols, rows.Err()
}

// tablePrimaryKey lists the key columns (not INCLUDE ones) of the primary key.
func tablePrimaryKey(ctx context.Context, db Querier, oid uint32) ([]string, error) {
	return catalogStrings(ctx, db, `SELECT a.attname::text FROM pg_index i
		CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
		JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
		WHERE i.indrelid = $1 AND i.indisprimary AND k.ord <= i.indnkeyatts
		ORDER BY k.ord`, oid)
}

// tableUniqueKeys lists the key columns of the unique indexes that identify
// rows: valid, without a predicate or an expression.
func tableUniqueKeys(ctx context.Context, db Querier, oid uint32) ([][]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT i.indexrelid, a.attname::text FROM pg_index i
		CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
		JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
		WHERE i.indrelid = $1 AND i.indisunique AND i.indisvalid AND i.indpred IS NULL AND i.indexprs IS NULL
			AND k.ord <= i.indnkeyatts
		ORDER BY i.indexrelid, k.ord`, oid)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]string
	var last uint32
	for rows.Next() {
		var idx uint32
		var col string
		if err := rows.Scan(&idx, &col); err != nil {
			return nil, err
		}
		if len(out) == 0 || idx != last {
			out = append(out, nil)
			last = idx
		}
		out[len(out)-1] = append(out[len(out)-1], col)
	}
	return out, rows.Err()
}

// TableExists reports whether any relation (table, view, index, sequence...)
// is named schema.table: any of them keeps CREATE TABLE from taking the name.
func TableExists(ctx context.Context, db Querier, schema, table string) (bool, error) {
	return OldTableExists(ctx, db, schema, table)
}

// DropTable drops a table hotswap created (the shadow, or the old table on
// request) if it exists.
func DropTable(ctx context.Context, db Querier, schema, table string) error {
	if _, err := db.ExecContext(ctx, DropTableSQL(schema, table)); err != nil {
		return fmt.Errorf("drop table %s.%s: %w", schema, table, err)
	}
	return nil
}

// DropTableSQL drops the table if it is there (a cleanup may run twice): what
// DropTable runs, and what a message tells a person to run.
func DropTableSQL(schema, table string) string {
	return "DROP TABLE IF EXISTS " + QualifiedName(schema, table)
}

// QualifiedName is schema.table, each quoted as PostgreSQL needs it.
func QualifiedName(schema, table string) string { return pgx.Identifier{schema, table}.Sanitize() }

// QuoteIdent quotes one identifier (a column's name) for a statement a
// person is shown.
func QuoteIdent(name string) string { return pgx.Identifier{name}.Sanitize() }
