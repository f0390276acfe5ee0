package workload

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// quoteIdent quotes a MySQL identifier with backticks.
func quoteIdent(name string) string {
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}

// qualified returns `schema`.`table`.
func qualified(schema, table string) string {
	return quoteIdent(schema) + "." + quoteIdent(table)
}

// currentDatabase returns the default database of db's connections.
func currentDatabase(ctx context.Context, db *sql.DB) (string, error) {
	var name sql.NullString
	if err := db.QueryRowContext(ctx, "SELECT DATABASE()").Scan(&name); err != nil {
		return "", fmt.Errorf("reading DATABASE(): %w", err)
	}
	if !name.Valid || name.String == "" {
		return "", fmt.Errorf("connection has no default database")
	}
	return name.String, nil
}

// splitTable accepts "table" or "schema.table"; schema defaults to def.
func splitTable(name, def string) (schema, table string) {
	if i := strings.IndexByte(name, '.'); i >= 0 {
		return name[:i], name[i+1:]
	}
	return def, name
}
