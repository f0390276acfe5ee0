package workload

import (
	"context"
	"database/sql"
	"strings"

	"github.com/jackc/pgx/v5/stdlib"
)

// dialect is what differs between MySQL/MariaDB and PostgreSQL: how SQL is
// spelled, how the table is introspected and how errors are classified.
// Value generation, key mapping and the model are shared; PostgreSQL-only
// types have their own classes (see columns_pg.go).
type dialect interface {
	quote(ident string) string
	param(n int) string // the n-th (1-based) placeholder of a statement
	currentSchema(ctx context.Context, db *sql.DB) (string, error)
	columns(ctx context.Context, db *sql.DB, schema, table string) ([]*column, error)
	indexes(ctx context.Context, db *sql.DB, schema, table string) ([]index, error)
	// keyExpr reads key column c back as the text keyText renders.
	keyExpr(c *column) string
	// foreignDuplicate reports whether err is a duplicate on a UNIQUE
	// index other than rowKey (an application-level rollback).
	foreignDuplicate(err error, rowKey string) bool
	// bigValue is the size range of "big" TEXT/BLOB values: min + [0, span).
	bigValue() (min, span int64)
}

// detectDialect picks the dialect by db's driver: PostgreSQL through the
// pgx stdlib driver (whose *pgconn.PgError the error classification needs),
// MySQL/MariaDB otherwise.
func detectDialect(ctx context.Context, db *sql.DB) (dialect, error) {
	if _, ok := db.Driver().(*stdlib.Driver); ok {
		return newPgDialect(ctx, db)
	}
	return mysqlDialect{}, nil
}

// qualify returns the quoted schema.table.
func qualify(d dialect, schema, table string) string {
	return d.quote(schema) + "." + d.quote(table)
}

// params returns n comma-separated placeholders numbered from `from`.
func params(d dialect, from, n int) string {
	marks := make([]string, n)
	for i := range marks {
		marks[i] = d.param(from + i)
	}
	return strings.Join(marks, ",")
}

// nameList returns the quoted column names, comma-separated.
func nameList(d dialect, cols []*column) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = d.quote(c.Name)
	}
	return strings.Join(names, ",")
}

// assignments returns "a = ?, b = ?" for cols, placeholders numbered from
// `from`.
func assignments(d dialect, cols []*column, from int) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = d.quote(c.Name) + " = " + d.param(from+i)
	}
	return strings.Join(parts, ", ")
}
