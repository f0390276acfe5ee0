package postgres

import (
	"context"
	"fmt"
	"strings"
)

// Probes of a table's data for the lint of versioned migrations: does it
// have rows (NULLs in a column), duplicates on columns.

// HasRowsSQL reads one row of schema.table; with nullColumn, one where that
// column is NULL.
func HasRowsSQL(schema, table, nullColumn string) string {
	q := "SELECT 1 FROM " + QualifiedName(schema, table)
	if nullColumn != "" {
		q += " WHERE " + QuoteIdent(nullColumn) + " IS NULL"
	}
	return q + " LIMIT 1"
}

// HasDuplicatesSQL reads one group of rows sharing the values of columns
// (rows with a NULL in them left out: a unique key lets those repeat).
func HasDuplicatesSQL(schema, table string, columns []string) string {
	quoted, notNull := make([]string, len(columns)), make([]string, len(columns))
	for i, c := range columns {
		quoted[i] = QuoteIdent(c)
		notNull[i] = quoted[i] + " IS NOT NULL"
	}
	return fmt.Sprintf("SELECT 1 FROM %s WHERE %s GROUP BY %s HAVING COUNT(*) > 1 LIMIT 1",
		QualifiedName(schema, table), strings.Join(notNull, " AND "), strings.Join(quoted, ", "))
}

// HasColumns says whether schema.table has every one of columns.
func HasColumns(ctx context.Context, db Querier, schema, table string, columns []string) (bool, error) {
	if len(columns) == 0 {
		return true, nil
	}
	want := map[string]bool{}
	for _, c := range columns {
		want[c] = true
	}
	var n int
	err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_attribute WHERE attrelid = to_regclass($1)
		AND attname = ANY($2) AND attnum > 0 AND NOT attisdropped`, QualifiedName(schema, table), columns).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("read the columns of %s.%s: %w", schema, table, err)
	}
	return n == len(want), nil
}

// SearchPathSQL sets the session's search_path to schema, then public:
// unqualified names in a migration's statements are looked up there.
const SearchPathSQL = "SELECT set_config('search_path', $1, false)"

// LocalSearchPathSQL is SearchPathSQL for the transaction only.
const LocalSearchPathSQL = "SELECT set_config('search_path', $1, true)"

// SearchPath is SearchPathSQL's argument for schema.
func SearchPath(schema string) string { return QuoteIdent(schema) + ", public" }

// ColumnTypeSQL reads a column's type as the server spells it
// (format_type: "character varying(100)", "numeric(10,2)"): the lint's
// narrow-type rule compares it with the type an ALTER gives the column.
// Arguments: the table's qualified name (QualifiedName), the column.
const ColumnTypeSQL = `SELECT format_type(atttypid, atttypmod) FROM pg_attribute
	WHERE attrelid = to_regclass($1) AND attname = $2 AND attnum > 0 AND NOT attisdropped`
