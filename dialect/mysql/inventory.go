package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// InventoryTable is a base table as `hotswap status` reads it.
type InventoryTable struct {
	Name   string
	Sentry bool // a cut-over sentry (createSentrySQL's comment), not a kept old table
}

// inventoryTablesSQL lists a database's base tables with their comments.
const inventoryTablesSQL = `SELECT TABLE_NAME, TABLE_COMMENT FROM information_schema.TABLES
	WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME`

// InventoryTables lists database's base tables.
func InventoryTables(ctx context.Context, q Querier, database string) ([]InventoryTable, error) {
	rows, err := q.QueryContext(ctx, inventoryTablesSQL, database)
	if err != nil {
		return nil, fmt.Errorf("list the tables of %s: %w", database, err)
	}
	defer rows.Close()
	var out []InventoryTable
	for rows.Next() {
		var t InventoryTable
		var comment string
		if err := rows.Scan(&t.Name, &comment); err != nil {
			return nil, fmt.Errorf("list the tables of %s: %w", database, err)
		}
		t.Sentry = isSentryComment(comment)
		out = append(out, t)
	}
	return out, rows.Err()
}

// usedLocksBatch is how many lock names one usedLocksSQL asks about: few
// statements for a database of thousands of tables, none near
// max_allowed_packet.
const usedLocksBatch = 200

// usedLocksSQL asks in one row which session holds each of n GET_LOCK
// names (NULL: none); IS_USED_LOCK takes nothing.
func usedLocksSQL(n int) string {
	return "SELECT " + strings.TrimSuffix(strings.Repeat("IS_USED_LOCK(?), ", n), ", ")
}

// UsedLocks maps each of names that a session holds to its connection id.
func UsedLocks(ctx context.Context, q Querier, names []string) (map[string]int64, error) {
	out := map[string]int64{}
	for start := 0; start < len(names); start += usedLocksBatch {
		batch := names[start:min(len(names), start+usedLocksBatch)]
		args := make([]any, len(batch))
		ids := make([]sql.NullInt64, len(batch))
		dest := make([]any, len(batch))
		for i, name := range batch {
			args[i], dest[i] = name, &ids[i]
		}
		if err := q.QueryRowContext(ctx, usedLocksSQL(len(batch)), args...).Scan(dest...); err != nil {
			return nil, fmt.Errorf("look at who holds hotswap's run locks: %w", err)
		}
		for i, id := range ids {
			if id.Valid {
				out[batch[i]] = id.Int64
			}
		}
	}
	return out, nil
}
