package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// alterFootprint is what an ALTER that rewrites or scans a table changes on
// it, even when the table is empty: a rewrite gives the table (and rebuilt
// indexes) a new relfilenode, a new index or a validated constraint or NOT
// NULL reads every row.
type alterFootprint struct {
	relfilenode uint32
	indexes     map[uint32]uint32 // index OID -> relfilenode
	checked     map[string]bool   // "contype:conname" of constraints that validate rows
	notNull     int
}

func readFootprint(ctx context.Context, db Querier, oid uint32) (alterFootprint, error) {
	f := alterFootprint{indexes: map[uint32]uint32{}, checked: map[string]bool{}}
	err := db.QueryRowContext(ctx, `SELECT relfilenode::int8, (SELECT count(*) FROM pg_attribute
		WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped AND attnotnull)::int FROM pg_class WHERE oid = $1`, oid).
		Scan(&f.relfilenode, &f.notNull)
	if err != nil {
		return f, fmt.Errorf("read the table's storage: %w", err)
	}
	rows, err := db.QueryContext(ctx, `SELECT c.oid::int8, c.relfilenode::int8 FROM pg_index i
		JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = $1`, oid)
	if err != nil {
		return f, fmt.Errorf("read the table's indexes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var idx, node uint32
		if err := rows.Scan(&idx, &node); err != nil {
			return f, err
		}
		f.indexes[idx] = node
	}
	names, err := catalogStrings(ctx, db, `SELECT contype::text || ':' || conname::text FROM pg_constraint
		WHERE conrelid = $1 AND contype IN ('c', 'f', 'p', 'u', 'x') AND convalidated`, oid)
	for _, n := range names {
		f.checked[n] = true
	}
	return f, err
}

// rewritesOrScans names what the ALTER did that costs time on a full table.
func (before alterFootprint) rewritesOrScans(after alterFootprint) string {
	switch {
	case after.relfilenode != before.relfilenode:
		return "it rewrites the table"
	case after.notNull > before.notNull:
		return "it sets NOT NULL, which reads every row"
	}
	for idx, node := range after.indexes {
		if old, ok := before.indexes[idx]; !ok {
			return "it builds an index"
		} else if old != node {
			return "it rebuilds an index"
		}
	}
	for c := range after.checked {
		if !before.checked[c] {
			return "it adds a constraint that checks every row"
		}
	}
	return ""
}

// buildsIndex matches an ALTER that adds an index-backed constraint, never
// made in place (the index is built). A word inside a string or a name
// matching too only means the change is copied online.
var buildsIndex = regexp.MustCompile(`(?i)\b(UNIQUE|PRIMARY\s+KEY|EXCLUDE)\b`)

// AlterIsInstant applies alter to probe, an empty copy of schema.table made
// for the purpose and dropped after, and tells whether PostgreSQL did it
// without rewriting or scanning (e.g. ADD COLUMN with a constant default,
// DROP COLUMN, a wider varchar); if not, why.
func AlterIsInstant(ctx context.Context, db *sql.DB, schema, table, probe, alter string) (bool, string, error) {
	if buildsIndex.MatchString(alter) { // an index name is the schema's: the probe's would clash with the shadow's
		return false, "it builds an index", nil
	}
	stmt := fmt.Sprintf("CREATE TABLE %s (LIKE %s INCLUDING ALL)",
		pgx.Identifier{schema, probe}.Sanitize(), pgx.Identifier{schema, table}.Sanitize())
	if _, err := db.ExecContext(ctx, stmt); err != nil {
		return false, "", fmt.Errorf("create probe table %s.%s: %w", schema, probe, err)
	}
	defer func() { _ = DropTable(context.WithoutCancel(ctx), db, schema, probe) }()
	oid, err := catalogRelOID(ctx, db, schema, probe)
	if err != nil {
		return false, "", err
	}
	before, err := readFootprint(ctx, db, oid)
	if err != nil {
		return false, "", err
	}
	orig, err := catalogRelOID(ctx, db, schema, table)
	if err != nil {
		return false, "", err
	}
	names, err := readShadowNames(ctx, db, table, probe, orig, oid) // the table's names work on the probe too
	if err != nil {
		return false, "", err
	}
	if err := shadowAlter(ctx, db, schema, probe, names.rewrite(alter)); err != nil {
		return false, "", fmt.Errorf("the ALTER is not valid for %s.%s: %w", schema, table, err)
	}
	after, err := readFootprint(ctx, db, oid)
	if err != nil {
		return false, "", err
	}
	why := before.rewritesOrScans(after)
	return why == "", why, nil
}

// AlterInPlace runs ALTER TABLE schema.table alter in a transaction that
// waits at most lockWait for its lock and runs at most 2*lockWait: an
// instant change needs its ACCESS EXCLUSIVE lock only for a moment, and
// while it waits every later query on the table queues behind it.
func AlterInPlace(ctx context.Context, db *sql.DB, schema, table, alter string, lockWait time.Duration) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	stmt := "ALTER TABLE " + pgx.Identifier{schema, table}.Sanitize() + " " + alter
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("not a pgx connection: %T", dc)
		}
		pc := c.Conn().PgConn()
		setup := fmt.Sprintf("BEGIN; SET LOCAL lock_timeout = %d; SET LOCAL statement_timeout = %d",
			lockWait.Milliseconds(), 2*lockWait.Milliseconds())
		if _, err := pc.Exec(ctx, setup).ReadAll(); err != nil {
			return fmt.Errorf("begin the in-place ALTER: %w", err)
		}
		if err := pc.ExecParams(ctx, stmt, nil, nil, nil, nil).Read().Err; err != nil {
			_, _ = pc.Exec(context.WithoutCancel(ctx), "ROLLBACK").ReadAll()
			return fmt.Errorf("in-place ALTER of %s.%s: %w", schema, table, err)
		}
		if _, err := pc.Exec(ctx, "COMMIT").ReadAll(); err != nil {
			return fmt.Errorf("commit the in-place ALTER of %s.%s: %w", schema, table, err)
		}
		return nil
	})
}
