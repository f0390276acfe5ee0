package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Throttle is the SQL of the throttler's checks on PostgreSQL: the heartbeat
// table lives in Schema (a logged table, so hot standbys replay it), and the
// load counters are counts of client sessions in pg_stat_activity.
type Throttle struct{ Schema string }

// loadCounters are the --max-load / --critical-load names PostgreSQL
// answers, each a filter over pg_stat_activity's client backends. MySQL's
// Threads_running and Threads_connected mean the same here, so one set of
// flags works on both engines.
var loadCounters = map[string]string{
	"active_sessions":     "state = 'active'",
	"threads_running":     "state = 'active'",
	"sessions":            "true",
	"threads_connected":   "true",
	"lock_waits":          "wait_event_type = 'Lock'",
	"idle_in_transaction": "state LIKE 'idle in transaction%'",
}

// MaxNameLen bounds the heartbeat table's name.
func (Throttle) MaxNameLen() int { return 63 }

// Load counts the sessions each name stands for (case-insensitive).
func (Throttle) Load(ctx context.Context, db *sql.DB, names []string) (map[string]int64, error) {
	if len(names) == 0 {
		return map[string]int64{}, nil
	}
	exprs := make([]string, len(names))
	for i, n := range names {
		cond, ok := loadCounters[strings.ToLower(n)]
		if !ok {
			return nil, fmt.Errorf("PostgreSQL has no load counter %s: use %s", n, strings.Join(LoadCounterNames(), ", "))
		}
		exprs[i] = "count(*) FILTER (WHERE " + cond + ")"
	}
	vals := make([]int64, len(names))
	dest := make([]any, len(names))
	for i := range vals {
		dest[i] = &vals[i]
	}
	q := "SELECT " + strings.Join(exprs, ", ") + " FROM pg_stat_activity WHERE backend_type = 'client backend'"
	if err := db.QueryRowContext(ctx, q).Scan(dest...); err != nil {
		return nil, fmt.Errorf("count sessions in pg_stat_activity: %w", err)
	}
	out := make(map[string]int64, len(names))
	for i, n := range names {
		out[n] = vals[i]
	}
	return out, nil
}

// LoadCounterNames lists the names Load knows, sorted.
func LoadCounterNames() []string {
	names := make([]string, 0, len(loadCounters))
	for n := range loadCounters {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func (th Throttle) table(name string) string { return pgx.Identifier{th.Schema, name}.Sanitize() }

// CreateHeartbeat replaces any leftover heartbeat table with an empty one.
func (th Throttle) CreateHeartbeat(ctx context.Context, db *sql.DB, name string) error {
	if err := th.DropHeartbeat(ctx, db, name); err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, "CREATE TABLE "+th.table(name)+" (id smallint PRIMARY KEY, seq bigint NOT NULL)"); err != nil {
		return fmt.Errorf("create heartbeat table %s: %w", name, err)
	}
	_, err := db.ExecContext(ctx, "COMMENT ON TABLE "+th.table(name)+" IS 'hotswap throttle heartbeat: safe to drop when no hotswap runs'")
	if err != nil {
		return fmt.Errorf("comment on heartbeat table %s: %w", name, err)
	}
	return nil
}

// WriteHeartbeat upserts sequence number seq.
func (th Throttle) WriteHeartbeat(ctx context.Context, db *sql.DB, name string, seq int64) error {
	_, err := db.ExecContext(ctx, "INSERT INTO "+th.table(name)+" (id, seq) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET seq = EXCLUDED.seq", seq)
	if err != nil {
		return fmt.Errorf("write heartbeat %d to %s: %w", seq, name, err)
	}
	return nil
}

// ReadHeartbeat returns the sequence number a standby has replayed; found is
// false while the table or its row has not reached it.
func (th Throttle) ReadHeartbeat(ctx context.Context, db *sql.DB, name string) (seq int64, found bool, err error) {
	err = db.QueryRowContext(ctx, "SELECT seq FROM "+th.table(name)+" WHERE id = 1").Scan(&seq)
	var pe *pgconn.PgError
	switch {
	case errors.Is(err, sql.ErrNoRows), errors.As(err, &pe) && pe.Code == "42P01": // undefined_table
		return 0, false, nil
	case err != nil:
		return 0, false, fmt.Errorf("read heartbeat from %s: %w", name, err)
	}
	return seq, true, nil
}

// DropHeartbeat drops the heartbeat table if it exists.
func (th Throttle) DropHeartbeat(ctx context.Context, db *sql.DB, name string) error {
	if _, err := db.ExecContext(ctx, "DROP TABLE IF EXISTS "+th.table(name)); err != nil {
		return fmt.Errorf("drop heartbeat table %s: %w", name, err)
	}
	return nil
}
