// Package postgres holds every SQL statement hotswap runs on PostgreSQL.
//
// Functions take a Querier: a *sql.DB, *sql.Conn or *sql.Tx opened with the
// pgx stdlib driver ("pgx"), as dialect/mysql takes database/sql handles, so
// the engine-neutral code holds one kind of handle for both engines. Values
// the driver could return in an unusual Go type (pg_lsn, "char") are cast to
// text in SQL and parsed here.
package postgres

import (
	"context"
	"database/sql"
)

// Querier is what the statements here need; *sql.DB, *sql.Conn and *sql.Tx
// satisfy it.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}
