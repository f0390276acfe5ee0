package postgres

import (
	"context"
	"fmt"
	"hash/fnv"
)

// The history table of versioned migrations (hotswap migrate), one row per
// version, in the target schema.

// CreateHistorySQL creates the history table if it is missing.
func CreateHistorySQL(schema, table string) string {
	return fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s (
	version bigint NOT NULL PRIMARY KEY,
	name text NOT NULL,
	checksum text NOT NULL,
	state text NOT NULL,
	started_at timestamptz NOT NULL,
	finished_at timestamptz,
	duration_ms bigint NOT NULL DEFAULT 0,
	rows_copied bigint NOT NULL DEFAULT 0,
	steps text NOT NULL,
	error text NOT NULL,
	hotswap_version text NOT NULL,
	host text NOT NULL
)`, QualifiedName(schema, table))
}

// historyColumns are the history table's columns, in the order the
// statements below read and write them.
const historyColumns = "version, name, checksum, state, started_at, finished_at, duration_ms, rows_copied, steps, error, hotswap_version, host"

// SelectHistorySQL reads every version, in order.
func SelectHistorySQL(schema, table string) string {
	return fmt.Sprintf("SELECT %s FROM %s ORDER BY version", historyColumns, QualifiedName(schema, table))
}

// SaveHistorySQL inserts a version's row or replaces its values.
func SaveHistorySQL(schema, table string) string {
	return fmt.Sprintf(`INSERT INTO %s (%s) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
ON CONFLICT (version) DO UPDATE SET name = EXCLUDED.name, checksum = EXCLUDED.checksum, state = EXCLUDED.state,
	started_at = EXCLUDED.started_at, finished_at = EXCLUDED.finished_at, duration_ms = EXCLUDED.duration_ms,
	rows_copied = EXCLUDED.rows_copied, steps = EXCLUDED.steps, error = EXCLUDED.error,
	hotswap_version = EXCLUDED.hotswap_version, host = EXCLUDED.host`, QualifiedName(schema, table), historyColumns)
}

// MigrateLockKey is the advisory lock key that lets one migrate at a time
// run on a database's schema.
func MigrateLockKey(database, schema string) int64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "hotswap.migrate\x00%s\x00%s", database, schema)
	return int64(h.Sum64())
}

// TryMigrateLock takes, without waiting, the advisory lock of the
// database's schema on c: false when another migrate holds it.
func TryMigrateLock(ctx context.Context, c Querier, database, schema string) (bool, error) {
	var got bool
	if err := c.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", MigrateLockKey(database, schema)).Scan(&got); err != nil {
		return false, fmt.Errorf("take the migrate lock of %s.%s: %w", database, schema, err)
	}
	return got, nil
}

// MigrateUnlock releases the lock TryMigrateLock took on c.
func MigrateUnlock(ctx context.Context, c Querier, database, schema string) error {
	_, err := c.ExecContext(ctx, "SELECT pg_advisory_unlock($1)", MigrateLockKey(database, schema))
	return err
}

// ResetSearchPathSQL gives a pooled session back its default search_path.
const ResetSearchPathSQL = "RESET search_path"
