package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// statusName is what a SHOW GLOBAL STATUS variable name may look like; names
// are checked before they are written into the statement.
var statusName = regexp.MustCompile(`^[A-Za-z0-9_]+$`)

// ValidStatusName says whether name can be a SHOW GLOBAL STATUS variable name.
func ValidStatusName(name string) bool { return statusName.MatchString(name) }

// GlobalStatus reads the named SHOW GLOBAL STATUS counters (names match
// case-insensitively; the map is keyed by the names as given). A name the
// server does not have, or whose value is not an integer, is an error.
func GlobalStatus(ctx context.Context, q Querier, names []string) (map[string]int64, error) {
	if len(names) == 0 {
		return map[string]int64{}, nil
	}
	query, err := globalStatusSQL(names)
	if err != nil {
		return nil, err
	}
	want := make(map[string][]string, len(names)) // lower-case name -> names as given
	for _, n := range names {
		want[strings.ToLower(n)] = append(want[strings.ToLower(n)], n)
	}
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("SHOW GLOBAL STATUS: %w", err)
	}
	defer rows.Close()
	out := make(map[string]int64, len(names))
	for rows.Next() {
		var name, value string
		if err := rows.Scan(&name, &value); err != nil {
			return nil, fmt.Errorf("scan SHOW GLOBAL STATUS: %w", err)
		}
		given, ok := want[strings.ToLower(name)]
		if !ok {
			continue
		}
		v, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("status variable %s is %q, not an integer", name, value)
		}
		for _, g := range given {
			out[g] = v
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read SHOW GLOBAL STATUS: %w", err)
	}
	for _, n := range names {
		if _, ok := out[n]; !ok {
			return nil, fmt.Errorf("the server has no status variable %s (SHOW GLOBAL STATUS)", n)
		}
	}
	return out, nil
}

// globalStatusSQL reads the named counters. The names are written into the
// statement as literals, so each is checked first.
func globalStatusSQL(names []string) (string, error) {
	lits := make([]string, len(names))
	for i, n := range names {
		if !ValidStatusName(n) {
			return "", fmt.Errorf("status variable name %q: only letters, digits and _ allowed", n)
		}
		lits[i] = "'" + n + "'"
	}
	return "SHOW GLOBAL STATUS WHERE Variable_name IN (" + strings.Join(lits, ", ") + ")", nil
}

// Throttle is the SQL of the throttler's checks on MySQL and MariaDB:
// the heartbeat table lives in Database, the load is SHOW GLOBAL STATUS.
type Throttle struct{ Database string }

// MaxNameLen bounds the heartbeat table's name.
func (Throttle) MaxNameLen() int { return MaxNameLen }

// Load reads the named status counters (GlobalStatus).
func (Throttle) Load(ctx context.Context, db *sql.DB, names []string) (map[string]int64, error) {
	return GlobalStatus(ctx, db, names)
}

// CreateHeartbeat replaces any leftover heartbeat table with an empty one.
// Its single row (id=1) holds the sequence number the throttler wrote last;
// control replicas are asked which one they have applied.
func (th Throttle) CreateHeartbeat(ctx context.Context, q *sql.DB, name string) error {
	if err := th.DropHeartbeat(ctx, q, name); err != nil {
		return err
	}
	_, err := q.ExecContext(ctx, th.createHeartbeatSQL(name))
	if err != nil {
		return fmt.Errorf("create heartbeat table %s: %w", name, err)
	}
	return nil
}

// createHeartbeatSQL creates the heartbeat table, whose one row has id 1.
func (th Throttle) createHeartbeatSQL(name string) string {
	return fmt.Sprintf("CREATE TABLE %s (id TINYINT UNSIGNED NOT NULL PRIMARY KEY, seq BIGINT NOT NULL) "+
		"ENGINE=InnoDB COMMENT='hotswap throttle heartbeat: safe to drop when no hotswap runs'", qualified(th.Database, name))
}

// WriteHeartbeat upserts sequence number seq into the heartbeat table.
func (th Throttle) WriteHeartbeat(ctx context.Context, q *sql.DB, name string, seq int64) error {
	query, args := th.writeHeartbeatSQL(name, seq)
	_, err := q.ExecContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("write heartbeat %d to %s: %w", seq, name, err)
	}
	return nil
}

// writeHeartbeatSQL upserts row 1 with seq, bound once for each branch.
func (th Throttle) writeHeartbeatSQL(name string, seq int64) (string, []any) {
	return fmt.Sprintf("INSERT INTO %s (id, seq) VALUES (1, ?) ON DUPLICATE KEY UPDATE seq = ?",
		qualified(th.Database, name)), []any{seq, seq}
}

// ReadHeartbeat returns the sequence number the server holds; found is false
// while the table or its row is not there (not yet replicated).
func (th Throttle) ReadHeartbeat(ctx context.Context, q *sql.DB, name string) (seq int64, found bool, err error) {
	err = q.QueryRowContext(ctx, th.readHeartbeatSQL(name)).Scan(&seq)
	switch {
	case err == sql.ErrNoRows || isNoSuchTable(err):
		return 0, false, nil
	case err != nil:
		return 0, false, fmt.Errorf("read heartbeat from %s: %w", name, err)
	}
	return seq, true, nil
}

// readHeartbeatSQL reads row 1's sequence number.
func (th Throttle) readHeartbeatSQL(name string) string {
	return fmt.Sprintf("SELECT seq FROM %s WHERE id = 1", qualified(th.Database, name))
}

// DropHeartbeat drops the heartbeat table if it exists.
func (th Throttle) DropHeartbeat(ctx context.Context, q *sql.DB, name string) error {
	if _, err := q.ExecContext(ctx, DropTableSQL(th.Database, name)); err != nil {
		return fmt.Errorf("drop heartbeat table %s: %w", name, err)
	}
	return nil
}
