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
	lits := make([]string, len(names))
	want := make(map[string][]string, len(names)) // lower-case name -> names as given
	for i, n := range names {
		if !ValidStatusName(n) {
			return nil, fmt.Errorf("status variable name %q: only letters, digits and _ allowed", n)
		}
		lits[i] = "'" + n + "'"
		want[strings.ToLower(n)] = append(want[strings.ToLower(n)], n)
	}
	rows, err := q.QueryContext(ctx, "SHOW GLOBAL STATUS WHERE Variable_name IN ("+strings.Join(lits, ", ")+")")
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

// CreateHeartbeat replaces any leftover heartbeat table with an empty one.
// Its single row (id=1) holds the sequence number the throttler wrote last;
// control replicas are asked which one they have applied.
func CreateHeartbeat(ctx context.Context, q Querier, database, name string) error {
	if err := DropHeartbeat(ctx, q, database, name); err != nil {
		return err
	}
	_, err := q.ExecContext(ctx, fmt.Sprintf("CREATE TABLE %s (id TINYINT UNSIGNED NOT NULL PRIMARY KEY, seq BIGINT NOT NULL) "+
		"ENGINE=InnoDB COMMENT='hotswap throttle heartbeat: safe to drop when no hotswap runs'", qualified(database, name)))
	if err != nil {
		return fmt.Errorf("create heartbeat table %s: %w", name, err)
	}
	return nil
}

// WriteHeartbeat upserts sequence number seq into the heartbeat table.
func WriteHeartbeat(ctx context.Context, q Querier, database, name string, seq int64) error {
	_, err := q.ExecContext(ctx, fmt.Sprintf("INSERT INTO %s (id, seq) VALUES (1, ?) ON DUPLICATE KEY UPDATE seq = ?",
		qualified(database, name)), seq, seq)
	if err != nil {
		return fmt.Errorf("write heartbeat %d to %s: %w", seq, name, err)
	}
	return nil
}

// ReadHeartbeat returns the sequence number the server holds; found is false
// while the table or its row is not there (not yet replicated).
func ReadHeartbeat(ctx context.Context, q Querier, database, name string) (seq int64, found bool, err error) {
	err = q.QueryRowContext(ctx, fmt.Sprintf("SELECT seq FROM %s WHERE id = 1", qualified(database, name))).Scan(&seq)
	switch {
	case err == sql.ErrNoRows || isNoSuchTable(err):
		return 0, false, nil
	case err != nil:
		return 0, false, fmt.Errorf("read heartbeat from %s: %w", name, err)
	}
	return seq, true, nil
}

// DropHeartbeat drops the heartbeat table if it exists.
func DropHeartbeat(ctx context.Context, q Querier, database, name string) error {
	if _, err := q.ExecContext(ctx, "DROP TABLE IF EXISTS "+qualified(database, name)); err != nil {
		return fmt.Errorf("drop heartbeat table %s: %w", name, err)
	}
	return nil
}

// ScalarQuery runs a query given by the operator (--throttle-query) and
// returns its first column of the first row as a number. No row or NULL is 0.
func ScalarQuery(ctx context.Context, q Querier, query string) (float64, error) {
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return 0, fmt.Errorf("run %q: %w", query, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, fmt.Errorf("run %q: %w", query, err)
	}
	if len(cols) == 0 {
		return 0, fmt.Errorf("run %q: it returns no columns", query)
	}
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return 0, fmt.Errorf("run %q: %w", query, err)
		}
		return 0, nil
	}
	var first sql.NullString
	dest := make([]any, len(cols))
	dest[0] = &first
	for i := 1; i < len(dest); i++ {
		dest[i] = new(sql.RawBytes)
	}
	if err := rows.Scan(dest...); err != nil {
		return 0, fmt.Errorf("scan result of %q: %w", query, err)
	}
	if err := rows.Close(); err != nil {
		return 0, fmt.Errorf("run %q: %w", query, err)
	}
	if !first.Valid {
		return 0, nil
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(first.String), 64)
	if err != nil {
		return 0, fmt.Errorf("%q returned %q, not a number", query, first.String)
	}
	return v, nil
}
