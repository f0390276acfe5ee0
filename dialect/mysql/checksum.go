package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/hotswap/hotswap/schema"
)

// LockWrites makes writers of the tables wait (readers go on) until Unlock
// on c. While it holds them, c itself may read only these tables.
func LockWrites(ctx context.Context, c *sql.Conn, database string, tables ...string) error {
	locks := make([]string, len(tables))
	for i, t := range tables {
		locks[i] = qualified(database, t) + " READ"
	}
	if _, err := c.ExecContext(ctx, "LOCK TABLES "+strings.Join(locks, ", ")); err != nil {
		return fmt.Errorf("lock %s for a consistent checksum point: %w", strings.Join(tables, " and "), err)
	}
	return nil
}

// StartSnapshot opens a read-only transaction on c whose reads all see the
// database as it is now.
func StartSnapshot(ctx context.Context, c *sql.Conn) error {
	if _, err := c.ExecContext(ctx, "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ"); err != nil {
		return fmt.Errorf("set snapshot isolation: %w", err)
	}
	if _, err := c.ExecContext(ctx, "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY"); err != nil {
		return fmt.Errorf("start consistent snapshot: %w", err)
	}
	return nil
}

// Snapshot reads source and shadow in one consistent snapshot on Conn.
type Snapshot struct {
	Rows *Rows
	Conn *sql.Conn
}

// NextBoundary cuts checksum chunks like the copy does, inside the snapshot.
func (s Snapshot) NextBoundary(ctx context.Context, after []any, size int) ([]any, bool, error) {
	return s.Rows.boundaryOn(ctx, s.Conn, after, size)
}

// Diff returns up to limit keys in lo < key <= hi whose rows differ: missing
// from the shadow, extra in it, or with a mapped column that compares
// different. The server compares values, so a type change (INT to BIGINT,
// latin1 to utf8mb4, DECIMAL scale) is not a difference; strings compare as
// bytes, so a case or accent change is.
func (s Snapshot) Diff(ctx context.Context, lo, hi []any, limit int) ([][]any, error) {
	r := s.Rows
	if same, err := s.sameHashes(ctx, lo, hi); err != nil || same {
		return nil, err
	}
	where, args := r.rangeWhere("s", lo, hi)
	missing, err := s.sourceSide(ctx, where, args, limit)
	if err != nil || len(missing) >= limit {
		return missing, err
	}
	if len(missing) == 0 {
		// every source row has its equal in the shadow, one each (keys are
		// unique): the shadow has extra rows only if it has more rows
		same, err := s.sameCount(ctx, lo, hi)
		if err != nil || same {
			return nil, err
		}
	}
	nwhere, nargs := keyRange(r.DstKey.Columns, "n", lo, hi)
	extra, err := s.shadowSide(ctx, nwhere, nargs, limit-len(missing))
	if err != nil {
		return nil, err
	}
	return append(missing, extra...), nil
}

// shadowSide lists, up to limit, the shadow rows matching where (on alias n)
// whose key the source does not hold.
func (s Snapshot) shadowSide(ctx context.Context, where string, args []any, limit int) ([][]any, error) {
	r := s.Rows
	q := fmt.Sprintf("SELECT %s FROM %s n LEFT JOIN %s s ON %s WHERE %s AND %s IS NULL LIMIT %d",
		r.prefixed("n", r.DstKey.Columns), r.shadow(), r.src(), r.keyJoin(), where, col("s", r.SrcKey.Columns[0]), limit)
	extra, err := scanKeys(ctx, s.Conn, len(r.DstKey.Columns), q, args...)
	if err != nil {
		return nil, fmt.Errorf("checksum: rows only in the shadow: %w", err)
	}
	return extra, nil
}

// sameCount says whether source and shadow hold as many rows in the range:
// two index range counts, much cheaper than looking every shadow row up.
func (s Snapshot) sameCount(ctx context.Context, lo, hi []any) (bool, error) {
	r := s.Rows
	sw, sargs := r.rangeWhere("s", lo, hi)
	nw, nargs := keyRange(r.DstKey.Columns, "n", lo, hi)
	q := fmt.Sprintf("SELECT (SELECT COUNT(*) FROM %s s WHERE %s) = (SELECT COUNT(*) FROM %s n WHERE %s)",
		r.src(), sw, r.shadow(), nw)
	var same bool
	if err := s.Conn.QueryRowContext(ctx, q, append(sargs, nargs...)...).Scan(&same); err != nil {
		return false, fmt.Errorf("checksum: count rows: %w", err)
	}
	return same, nil
}

// sourceSide lists, up to limit, the source rows matching where (on alias s)
// that the shadow lacks or holds different.
func (s Snapshot) sourceSide(ctx context.Context, where string, args []any, limit int) ([][]any, error) {
	r := s.Rows
	var same []string
	for _, p := range r.Pairs {
		same = append(same, r.sameValue(p.Source, p.Target))
	}
	q := fmt.Sprintf("SELECT %s FROM %s s FORCE INDEX (%s) LEFT JOIN %s n ON %s WHERE %s AND (%s IS NULL OR NOT (%s)) LIMIT %d",
		r.prefixed("s", r.SrcKey.Columns), r.src(), Quote(r.SrcKey.Name), r.shadow(), r.keyJoin(), where,
		col("n", r.DstKey.Columns[0]), strings.Join(same, " AND "), limit)
	keys, err := scanKeys(ctx, s.Conn, len(r.SrcKey.Columns), q, args...)
	if err != nil {
		return nil, fmt.Errorf("checksum: source rows: %w", err)
	}
	return keys, nil
}

func (r *Rows) keyJoin() string {
	var on []string
	for i, c := range r.SrcKey.Columns {
		on = append(on, col("s", c)+" = "+col("n", r.DstKey.Columns[i]))
	}
	return strings.Join(on, " AND ")
}

// sameValue is the NULL-safe comparison of a source and a shadow column.
func (r *Rows) sameValue(source, target string) string {
	a, b := r.comparedForms(source, target)
	return a + " <=> " + b
}

// comparedForms are the expressions (source alias s, shadow alias n) whose
// values must be equal: strings as utf8mb4 bytes (so a case or accent change
// is a difference), the source cast to the shadow's type where the copy
// narrows silently.
func (r *Rows) comparedForms(source, target string) (string, string) {
	sc, _ := r.SrcTable.Column(source)
	dc, _ := r.DstTable.Column(target)
	a, b := r.sourceExpr("s", schema.ColumnPair{Source: source, Target: target}), col("n", target)
	if isText(sc.DataType) && isText(dc.DataType) {
		asBytes := func(x string) string { return "CAST(CONVERT(" + x + " USING utf8mb4) AS BINARY)" }
		return asBytes(a), asBytes(b)
	}
	if t := castType(dc); t != "" && !strings.EqualFold(sc.FullType, dc.FullType) {
		a = "CAST(" + a + " AS " + t + ")" // what the copy did to the value
	}
	return a, b
}

// castType is the CAST target matching a column type that the server may
// narrow silently on copy (float precision, fractional seconds) or pad
// (BINARY(n) fills with zero bytes), or "".
func castType(c schema.Column) string {
	switch c.DataType {
	case "binary":
		return "BINARY" + precision(c.FullType)
	case "float":
		return "FLOAT"
	case "double":
		return "DOUBLE"
	case "date":
		return "DATE"
	case "datetime", "timestamp":
		return "DATETIME" + precision(c.FullType)
	case "time":
		return "TIME" + precision(c.FullType)
	case "decimal":
		return "DECIMAL" + precision(c.FullType)
	}
	return ""
}

// precision is the "(p)" or "(p,s)" part of a full column type, or "".
func precision(fullType string) string {
	i, j := strings.Index(fullType, "("), strings.Index(fullType, ")")
	if i < 0 || j < i {
		return ""
	}
	return fullType[i : j+1]
}

func isText(dataType string) bool {
	switch dataType {
	case "char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum", "set":
		return true
	}
	return false
}
