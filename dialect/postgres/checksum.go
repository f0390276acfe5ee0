package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// checksumSnapshotBegin starts the read-only transaction a snapshot lives in.
const checksumSnapshotBegin = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"

// ExportSnapshot opens a read-only REPEATABLE READ transaction on c and
// exports its snapshot, so other connections can read the same moment
// (ImportSnapshot). The snapshot can be imported while c keeps its
// transaction open: end it with EndSnapshot.
func ExportSnapshot(ctx context.Context, c *sql.Conn) (id string, err error) {
	if _, err := c.ExecContext(ctx, checksumSnapshotBegin); err != nil {
		return "", fmt.Errorf("begin the checksum snapshot: %w", err)
	}
	if err := c.QueryRowContext(ctx, "SELECT pg_export_snapshot()").Scan(&id); err != nil {
		_, _ = c.ExecContext(context.Background(), "ROLLBACK")
		return "", fmt.Errorf("export the checksum snapshot: %w", err)
	}
	return id, nil
}

// checksumSnapshotID is the shape of pg_export_snapshot()'s ids
// ("00000003-0000001B-1"), checked because SET TRANSACTION SNAPSHOT takes a
// literal, not a parameter.
var checksumSnapshotID = regexp.MustCompile(`^[0-9A-Fa-f]+(-[0-9A-Fa-f]+)+$`)

// ImportSnapshot opens a read-only REPEATABLE READ transaction on c that sees
// the snapshot exported as id. End it with EndSnapshot.
func ImportSnapshot(ctx context.Context, c *sql.Conn, id string) error {
	if !checksumSnapshotID.MatchString(id) {
		return fmt.Errorf("import the checksum snapshot: %q is not a snapshot id", id)
	}
	if _, err := c.ExecContext(ctx, checksumSnapshotBegin); err != nil {
		return fmt.Errorf("begin the checksum snapshot: %w", err)
	}
	if _, err := c.ExecContext(ctx, "SET TRANSACTION SNAPSHOT '"+id+"'"); err != nil {
		_, _ = c.ExecContext(context.Background(), "ROLLBACK")
		return fmt.Errorf("import the checksum snapshot %s: %w", id, err)
	}
	return nil
}

// EndSnapshot ends the snapshot's transaction and closes c. A connection that
// cannot roll back is discarded, never returned to the pool mid-transaction.
func EndSnapshot(c *sql.Conn) {
	if _, err := c.ExecContext(context.Background(), "ROLLBACK"); err != nil {
		_ = c.Raw(func(any) error { return driver.ErrBadConn })
	}
	_ = c.Close()
}

// Snapshot reads source and shadow in one snapshot on Conn.
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
// different (see sameValue).
func (s Snapshot) Diff(ctx context.Context, lo, hi []any, limit int) ([][]any, error) {
	if err := s.Rows.checkKeys(lo, hi); err != nil {
		return nil, fmt.Errorf("checksum: %w", err)
	}
	if limit <= 0 {
		return nil, errors.New("checksum: the diff limit must be positive")
	}
	if same, err := s.sameHashes(ctx, lo, hi); err != nil || same {
		return nil, err
	}
	diffs, err := s.sourceSide(ctx, lo, hi, limit)
	if err != nil || len(diffs) >= limit {
		return diffs, err
	}
	extra, err := s.shadowSide(ctx, lo, hi, limit-len(diffs))
	if err != nil {
		return nil, err
	}
	return append(diffs, extra...), nil
}

// sourceSide lists source rows missing from the shadow or different in it.
// ORDER BY with the LIMIT keeps the plan a key-range scan: a bare LIMIT may
// be planned as a whole-table scan expected to stop early, which it never
// does when nothing differs.
func (s Snapshot) sourceSide(ctx context.Context, lo, hi []any, limit int) ([][]any, error) {
	keys, err := s.sourceRows(ctx, func(k rowsKey, a *rowsArgs) string { return k.between("s", a, lo, hi) }, limit)
	if err != nil {
		return nil, fmt.Errorf("checksum: compare source rows (%v..%v]: %w", lo, hi, err)
	}
	return keys, nil
}

// shadowSide lists shadow rows whose key the source does not hold.
func (s Snapshot) shadowSide(ctx context.Context, lo, hi []any, limit int) ([][]any, error) {
	keys, err := s.shadowRows(ctx, func(k rowsKey, a *rowsArgs) string { return k.between("n", a, lo, hi) }, limit)
	if err != nil {
		return nil, fmt.Errorf("checksum: look for extra shadow rows (%v..%v]: %w", lo, hi, err)
	}
	return keys, nil
}

// rowsWhere builds the condition on a side's key (alias s for the source, n
// for the shadow), adding its parameters to a.
type rowsWhere func(k rowsKey, a *rowsArgs) string

// sourceRows lists source rows matching where that the shadow lacks or
// holds different.
func (s Snapshot) sourceRows(ctx context.Context, where rowsWhere, limit int) ([][]any, error) {
	r := s.Rows
	sk, dk, a := r.srcKey(), r.dstKey(), &rowsArgs{}
	same := make([]string, len(r.Pairs))
	for i, p := range r.Pairs {
		same[i] = r.sameValue(i, p)
	}
	q := fmt.Sprintf("SELECT %s FROM %s s%s %s WHERE %s AND (%s IS NULL OR NOT (%s)) ORDER BY %s LIMIT %d",
		sk.selectList("s"), r.srcTable(), r.usingLateral("s"), rowsProbe(r.shadowTable(), "n", "*", dk.join("n", sk, "s")),
		where(sk, a), rowsCol("n", dk.cols[0]), strings.Join(same, " AND "), sk.orderBy("s"), limit)
	return rowsScanKeys(ctx, s.Conn, len(sk.cols), q, a.vals...)
}

// shadowRows lists shadow rows matching where whose key the source lacks.
func (s Snapshot) shadowRows(ctx context.Context, where rowsWhere, limit int) ([][]any, error) {
	r := s.Rows
	sk, dk, a := r.srcKey(), r.dstKey(), &rowsArgs{}
	q := fmt.Sprintf("SELECT %s FROM %s n %s WHERE %s AND s.hit IS NULL ORDER BY %s LIMIT %d",
		dk.selectList("n"), r.shadowTable(), rowsProbe(r.srcTable(), "s", "1 AS hit", sk.join("s", dk, "n")),
		where(dk, a), dk.orderBy("n"), limit)
	return rowsScanKeys(ctx, s.Conn, len(dk.cols), q, a.vals...)
}
