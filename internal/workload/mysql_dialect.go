package workload

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/go-sql-driver/mysql"
)

// mysqlDialect is MySQL/MariaDB: backtick quoting, "?" placeholders,
// information_schema introspection (columns.go, indexes.go).
type mysqlDialect struct{}

func (mysqlDialect) quote(ident string) string { return quoteIdent(ident) }

func (mysqlDialect) param(int) string { return "?" }

func (mysqlDialect) currentSchema(ctx context.Context, db *sql.DB) (string, error) {
	return currentDatabase(ctx, db)
}

func (mysqlDialect) columns(ctx context.Context, db *sql.DB, schema, table string) ([]*column, error) {
	return loadColumns(ctx, db, schema, table)
}

func (mysqlDialect) indexes(ctx context.Context, db *sql.DB, schema, table string) ([]index, error) {
	return loadIndexes(ctx, db, schema, table)
}

func (mysqlDialect) keyExpr(c *column) string { return selectExpr(c) }

func (mysqlDialect) bigValue() (int64, int64) { return bigText, bigText / 2 }

// foreignDuplicate: error 1062 names the index in its message.
func (mysqlDialect) foreignDuplicate(err error, rowKey string) bool {
	var me *mysql.MySQLError
	if !errors.As(err, &me) || me.Number != 1062 {
		return false
	}
	name := duplicateKeyName(me.Message)
	return name != "" && name != rowKey
}

// duplicateKeyName extracts the index name from "Duplicate entry 'x' for
// key 'name'" (MySQL 8 says 'table.name').
func duplicateKeyName(msg string) string {
	const marker = "for key '"
	i := strings.LastIndex(msg, marker)
	if i < 0 {
		return ""
	}
	name := strings.TrimSuffix(msg[i+len(marker):], "'")
	if j := strings.LastIndexByte(name, '.'); j >= 0 {
		name = name[j+1:]
	}
	return name
}
