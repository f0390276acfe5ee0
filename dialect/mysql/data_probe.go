package mysql

import (
	"context"
	"fmt"
	"strings"
)

// Probes of a table's data for the lint of versioned migrations: does it
// have rows (NULLs in a column), duplicates on columns.

// HasRowsSQL reads one row of database.table; with nullColumn, one where
// that column is NULL.
func HasRowsSQL(database, table, nullColumn string) string {
	q := "SELECT 1 FROM " + qualified(database, table)
	if nullColumn != "" {
		q += " WHERE " + Quote(nullColumn) + " IS NULL"
	}
	return q + " LIMIT 1"
}

// HasDuplicatesSQL reads one group of rows sharing the values of columns
// (rows with a NULL in them left out: a unique key lets those repeat).
func HasDuplicatesSQL(database, table string, columns []string) string {
	quoted, notNull := make([]string, len(columns)), make([]string, len(columns))
	for i, c := range columns {
		quoted[i] = Quote(c)
		notNull[i] = quoted[i] + " IS NOT NULL"
	}
	return fmt.Sprintf("SELECT 1 FROM %s WHERE %s GROUP BY %s HAVING COUNT(*) > 1 LIMIT 1",
		qualified(database, table), strings.Join(notNull, " AND "), strings.Join(quoted, ", "))
}

// HasColumns says whether database.table has every one of columns (names
// compared as the server does: without case).
func HasColumns(ctx context.Context, q Querier, database, table string, columns []string) (bool, error) {
	if len(columns) == 0 {
		return true, nil
	}
	want := map[string]bool{}
	args := []any{database, table}
	for _, c := range columns {
		want[strings.ToLower(c)] = true
		args = append(args, c)
	}
	var n int
	err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND COLUMN_NAME IN (?"+
		strings.Repeat(", ?", len(columns)-1)+")", args...).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("read the columns of %s.%s: %w", database, table, err)
	}
	return n == len(want), nil
}

// ColumnTypeSQL reads a column's type as the server spells it
// (COLUMN_TYPE: "varchar(100)", "int(10) unsigned"): the lint's narrow-type
// rule compares it with the type an ALTER gives the column. Arguments:
// database, table, column.
const ColumnTypeSQL = "SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND COLUMN_NAME = ?"
