package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/jackc/pglogrepl"
	"github.com/jackc/pgx/v5"
)

// RevertSlotName names a revert window's slot and publication for
// schema.table: "hotswap_rev_" (the "hotswap_" prefix marks them as ours,
// see Objects) and a hash of a three-part name no run's SlotName hashes, so
// it never meets the slot of a migration of another table.
func RevertSlotName(schema, table string) string {
	base := "hotswap_rev_" + sanitizeSlotPart(schema) + "_" + sanitizeSlotPart(table)
	sum := sha256.Sum256([]byte(pgx.Identifier{schema, table, "rev"}.Sanitize()))
	suffix := "_" + hex.EncodeToString(sum[:4])
	return base[:min(len(base), slotNameMax-len(suffix))] + suffix
}

// NotNullNoDefault lists the columns of cols in schema.table that are NOT
// NULL and have no default (nor an identity): an INSERT that leaves them
// out fails.
func NotNullNoDefault(ctx context.Context, db Querier, schema, table string, cols []string) ([]string, error) {
	if len(cols) == 0 {
		return nil, nil
	}
	out, err := catalogStrings(ctx, db, `SELECT a.attname::text FROM pg_attribute a
		WHERE a.attrelid = $1::regclass AND a.attname = ANY($2) AND a.attnum > 0 AND NOT a.attisdropped
			AND a.attnotnull AND NOT a.atthasdef AND a.attidentity = '' AND a.attgenerated = ''
		ORDER BY a.attnum`, pgx.Identifier{schema, table}.Sanitize(), cols)
	if err != nil {
		return nil, fmt.Errorf("read the defaults of %s.%s: %w", schema, table, err)
	}
	return out, nil
}

// CheckAssignable plans, without running it, the INSERT a resync runs: it
// fails when a source column's type has no assignment cast to its shadow
// column's (a revert window's way back from an ALTER ... TYPE ... USING,
// say), which would fail every resync.
func (r *Rows) CheckAssignable(ctx context.Context) error {
	q := fmt.Sprintf("EXPLAIN %s SELECT %s FROM %s WHERE false", r.copyInsert(), r.sources(), r.srcTable())
	rows, err := r.DB.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("rows of %s cannot be written into %s: %w", r.Source, r.Shadow, err)
	}
	return rows.Close()
}

// CutOverMark reads, in the cut-over transaction on q, the WAL position the
// server inserts at now (pg_current_wal_insert_lsn) and the transaction's
// xid (its low 32 bits, as pgoutput's BEGIN carries it): every transaction
// committed before has a smaller commit LSN, and every one committing after
// this one a larger one.
func CutOverMark(ctx context.Context, q Querier) (pglogrepl.LSN, uint32, error) {
	var text string
	var xid int64
	err := q.QueryRowContext(ctx, "SELECT pg_current_wal_insert_lsn()::text, (pg_current_xact_id()::text::bigint % 4294967296)").Scan(&text, &xid)
	if err != nil {
		return 0, 0, fmt.Errorf("read the cut-over's WAL position: %w", err)
	}
	lsn, err := pglogrepl.ParseLSN(text)
	if err != nil {
		return 0, 0, fmt.Errorf("parse WAL position %q: %w", text, err)
	}
	return lsn, uint32(xid), nil
}

// ColumnDefaults describes what an INSERT that leaves each of cols out puts
// in it: its DEFAULT expression, "identity", or "" (NULL).
func ColumnDefaults(ctx context.Context, db Querier, schema, table string, cols []string) (map[string]string, error) {
	out := map[string]string{}
	if len(cols) == 0 {
		return out, nil
	}
	rows, err := db.QueryContext(ctx, `SELECT a.attname::text,
			CASE WHEN a.attidentity <> '' THEN 'identity' ELSE coalesce(pg_get_expr(d.adbin, d.adrelid), '') END
		FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
		WHERE a.attrelid = $1::regclass AND a.attname = ANY($2) AND a.attnum > 0 AND NOT a.attisdropped`,
		pgx.Identifier{schema, table}.Sanitize(), cols)
	if err != nil {
		return nil, fmt.Errorf("read the defaults of %s.%s: %w", schema, table, err)
	}
	defer rows.Close()
	for rows.Next() {
		var col, def string
		if err := rows.Scan(&col, &def); err != nil {
			return nil, fmt.Errorf("read the defaults of %s.%s: %w", schema, table, err)
		}
		out[col] = def
	}
	return out, rows.Err()
}
