package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/hotswap/hotswap/schema"
)

// TableKind reports whether name is a base table, a view, or missing, and its engine.
func TableKind(ctx context.Context, q Querier, database, name string) (kind, engine string, err error) {
	var eng sql.NullString
	err = q.QueryRowContext(ctx,
		"SELECT TABLE_TYPE, ENGINE FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
		database, name).Scan(&kind, &eng)
	if err == sql.ErrNoRows {
		return "", "", nil
	}
	if err != nil {
		return "", "", fmt.Errorf("look up table %s.%s: %w", database, name, err)
	}
	return kind, eng.String, nil
}

// TableExists says whether a table or view of that name exists.
func TableExists(ctx context.Context, q Querier, database, name string) (bool, error) {
	kind, _, err := TableKind(ctx, q, database, name)
	return kind != "", err
}

// LoadTable reads a table's columns and unique indexes from information_schema.
func LoadTable(ctx context.Context, q Querier, database, name string) (*schema.Table, error) {
	t := &schema.Table{Schema: database, Name: name}
	rows, err := q.QueryContext(ctx, `SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE, EXTRA, ORDINAL_POSITION,
		COALESCE(COLLATION_NAME, '') FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`, database, name)
	if err != nil {
		return nil, fmt.Errorf("read columns of %s: %w", name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var c schema.Column
		var nullable, extra string
		if err := rows.Scan(&c.Name, &c.DataType, &c.FullType, &nullable, &extra, &c.Ordinal, &c.Collation); err != nil {
			return nil, fmt.Errorf("read columns of %s: %w", name, err)
		}
		c.DataType = strings.ToLower(c.DataType)
		c.Nullable = nullable == "YES"
		c.Unsigned = strings.Contains(strings.ToLower(c.FullType), "unsigned")
		c.Generated = strings.Contains(strings.ToUpper(extra), "GENERATED")
		t.Columns = append(t.Columns, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read columns of %s: %w", name, err)
	}
	if len(t.Columns) == 0 {
		return nil, fmt.Errorf("table %s.%s does not exist", database, name)
	}
	t.Uniques, err = loadUniques(ctx, q, database, name)
	return t, err
}

func loadUniques(ctx context.Context, q Querier, database, name string) ([]schema.Index, error) {
	rows, err := q.QueryContext(ctx, `SELECT INDEX_NAME, COLUMN_NAME, SUB_PART FROM information_schema.STATISTICS
		WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND NON_UNIQUE = 0
		ORDER BY INDEX_NAME = 'PRIMARY' DESC, INDEX_NAME, SEQ_IN_INDEX`, database, name)
	if err != nil {
		return nil, fmt.Errorf("read indexes of %s: %w", name, err)
	}
	defer rows.Close()
	var out []schema.Index
	prefixed := map[string]bool{}
	for rows.Next() {
		var ix, colName string
		var sub sql.NullInt64
		if err := rows.Scan(&ix, &colName, &sub); err != nil {
			return nil, fmt.Errorf("read indexes of %s: %w", name, err)
		}
		if sub.Valid {
			prefixed[ix] = true // a prefix index is unique on the prefix only: not a row key
		}
		if len(out) == 0 || out[len(out)-1].Name != ix {
			out = append(out, schema.Index{Name: ix, Primary: ix == "PRIMARY"})
		}
		out[len(out)-1].Columns = append(out[len(out)-1].Columns, colName)
	}
	var keep []schema.Index
	for _, ix := range out {
		if !prefixed[ix.Name] {
			keep = append(keep, ix)
		}
	}
	return keep, rows.Err()
}

// ShowCreate returns the server's CREATE TABLE statement.
func ShowCreate(ctx context.Context, q Querier, database, name string) (string, error) {
	var n, ddl string
	if err := q.QueryRowContext(ctx, showCreateSQL(database, name)).Scan(&n, &ddl); err != nil {
		return "", fmt.Errorf("SHOW CREATE TABLE %s: %w", name, err)
	}
	return ddl, nil
}

// showCreateSQL asks for the table's CREATE TABLE statement.
func showCreateSQL(database, name string) string {
	return "SHOW CREATE TABLE " + qualified(database, name)
}

// EstimateRows is the optimizer's row estimate: cheap, not exact.
func EstimateRows(ctx context.Context, q Querier, database, name string) (int64, error) {
	var n sql.NullInt64
	err := q.QueryRowContext(ctx, "SELECT TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
		database, name).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("estimate rows of %s: %w", name, err)
	}
	return n.Int64, nil
}

// NoDefault lists, of columns, those of the table that are NOT NULL without
// a default (nor AUTO_INCREMENT): an INSERT leaving them out fails in strict
// mode. MariaDB shows DEFAULT NULL as 'NULL' and no default as NULL.
func NoDefault(ctx context.Context, q Querier, database, name string, columns []string) ([]string, error) {
	if len(columns) == 0 {
		return nil, nil
	}
	rows, err := q.QueryContext(ctx, `SELECT COLUMN_NAME FROM information_schema.COLUMNS
		WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND IS_NULLABLE = 'NO' AND COLUMN_DEFAULT IS NULL
		AND EXTRA NOT LIKE '%auto_increment%' ORDER BY ORDINAL_POSITION`, database, name)
	if err != nil {
		return nil, fmt.Errorf("read the defaults of %s: %w", name, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("read the defaults of %s: %w", name, err)
		}
		if slices.ContainsFunc(columns, func(c string) bool { return strings.EqualFold(c, n) }) {
			out = append(out, n)
		}
	}
	return out, rows.Err()
}

// TableSize is the optimizer's estimate of a table's rows and its data and
// index length; exists is false for a table that is not there.
func TableSize(ctx context.Context, q Querier, database, name string) (rows, bytes int64, exists bool, err error) {
	var r, b sql.NullInt64
	err = q.QueryRowContext(ctx, `SELECT TABLE_ROWS, DATA_LENGTH + INDEX_LENGTH FROM information_schema.TABLES
		WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND TABLE_TYPE = 'BASE TABLE'`, database, name).Scan(&r, &b)
	switch {
	case err == sql.ErrNoRows:
		return 0, 0, false, nil
	case err != nil:
		return 0, 0, false, fmt.Errorf("size of %s.%s: %w", database, name, err)
	}
	return r.Int64, b.Int64, true, nil
}
