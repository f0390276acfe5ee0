package mysql

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
)

// The history table of versioned migrations (hotswap migrate), one row per
// version, in the target database. Times are UTC (hotswap's sessions run
// with time_zone '+00:00'), to the microsecond.

// CreateHistorySQL creates the history table if it is missing.
func CreateHistorySQL(database, table string) string {
	return fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s (
	version BIGINT UNSIGNED NOT NULL PRIMARY KEY,
	name VARCHAR(255) NOT NULL,
	checksum CHAR(64) NOT NULL,
	state VARCHAR(16) NOT NULL,
	started_at DATETIME(6) NOT NULL,
	finished_at DATETIME(6) NULL,
	duration_ms BIGINT NOT NULL DEFAULT 0,
	rows_copied BIGINT NOT NULL DEFAULT 0,
	steps TEXT NOT NULL,
	error TEXT NOT NULL,
	hotswap_version VARCHAR(64) NOT NULL,
	host VARCHAR(255) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='hotswap migrate: the versions applied to this database'`, qualified(database, table))
}

// historyColumns are the history table's columns, in the order the
// statements below read and write them.
const historyColumns = "version, name, checksum, state, started_at, finished_at, duration_ms, rows_copied, steps, error, hotswap_version, host"

// SelectHistorySQL reads every version, in order.
func SelectHistorySQL(database, table string) string {
	return fmt.Sprintf("SELECT %s FROM %s ORDER BY version", historyColumns, qualified(database, table))
}

// SaveHistorySQL inserts a version's row or replaces its values.
func SaveHistorySQL(database, table string) string {
	return fmt.Sprintf(`INSERT INTO %s (%s) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON DUPLICATE KEY UPDATE name = VALUES(name), checksum = VALUES(checksum), state = VALUES(state), started_at = VALUES(started_at),
	finished_at = VALUES(finished_at), duration_ms = VALUES(duration_ms), rows_copied = VALUES(rows_copied), steps = VALUES(steps),
	error = VALUES(error), hotswap_version = VALUES(hotswap_version), host = VALUES(host)`, qualified(database, table), historyColumns)
}

// MigrateLockName is the GET_LOCK name that lets one migrate at a time run
// on a database (64 characters at most).
func MigrateLockName(database string) string {
	sum := sha1.Sum([]byte(database))
	return "hotswap.migrate." + hex.EncodeToString(sum[:])[:40]
}
