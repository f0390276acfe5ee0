package workload

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// pgDialect is PostgreSQL through the pgx stdlib driver: double-quoted
// identifiers, $n placeholders, pg_catalog introspection.
type pgDialect struct {
	charset string // alphabet of text values, from server_encoding
}

// newPgDialect reads the server encoding once: the server converts text to
// it, and characters it cannot represent would fail the write.
func newPgDialect(ctx context.Context, db *sql.DB) (dialect, error) {
	var enc string
	if err := db.QueryRowContext(ctx, "SELECT current_setting('server_encoding')").Scan(&enc); err != nil {
		return nil, fmt.Errorf("reading server_encoding: %w", err)
	}
	charset := map[string]string{"UTF8": "utf8mb4", "LATIN1": "latin1"}[strings.ToUpper(enc)]
	return pgDialect{charset: charset}, nil
}

func (pgDialect) quote(ident string) string {
	return `"` + strings.ReplaceAll(ident, `"`, `""`) + `"`
}

func (pgDialect) param(n int) string { return "$" + strconv.Itoa(n) }

func (pgDialect) currentSchema(ctx context.Context, db *sql.DB) (string, error) {
	var name sql.NullString
	if err := db.QueryRowContext(ctx, "SELECT current_schema()").Scan(&name); err != nil {
		return "", fmt.Errorf("reading current_schema(): %w", err)
	}
	if !name.Valid || name.String == "" {
		return "", fmt.Errorf("connection has no current schema (search_path)")
	}
	return name.String, nil
}

// keyExpr renders key columns like keyText: bytea as upper-case hex, times
// with to_char (independent of DateStyle and, via UTC, of TimeZone).
func (d pgDialect) keyExpr(c *column) string {
	q := d.quote(c.Name)
	switch c.Class {
	case clsBinary:
		return "upper(encode(" + q + ", 'hex'))"
	case clsPgDate:
		return "to_char(" + q + ", 'YYYY-MM-DD')"
	case clsPgTimestamp:
		return "to_char(" + q + ", 'YYYY-MM-DD HH24:MI:SS')"
	case clsPgTimestamptz:
		return "to_char(" + q + " AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"
	}
	return q + "::text"
}

// foreignDuplicate: unique_violation (23505) names the violated index or
// constraint, which for a PRIMARY KEY or UNIQUE constraint is its index.
// Deadlocks (40P01) and serialization failures (40001) are errors.
func (pgDialect) foreignDuplicate(err error, rowKey string) bool {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "23505" {
		return false
	}
	return pe.ConstraintName != "" && pe.ConstraintName != rowKey
}

// bigValue: over 8 kB, so the value is TOASTed out of line, up to 1 MB.
func (pgDialect) bigValue() (int64, int64) { return 8<<10 + 1, 1<<20 - 8<<10 }
