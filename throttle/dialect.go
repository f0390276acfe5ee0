package throttle

import (
	"context"
	"database/sql"
	"fmt"
)

// Dialect is the engine's SQL for the checks that read a server: the
// heartbeat table written on the primary and read back on each control
// replica (a MySQL replica, a PostgreSQL hot standby), and the load
// counters of --max-load and --critical-load. dialect/mysql.Throttle and
// dialect/postgres.Throttle implement it.
type Dialect interface {
	MaxNameLen() int
	CreateHeartbeat(ctx context.Context, primary *sql.DB, table string) error
	WriteHeartbeat(ctx context.Context, primary *sql.DB, table string, seq int64) error
	// ReadHeartbeat's found is false while the table or its row has not
	// reached the replica yet.
	ReadHeartbeat(ctx context.Context, replica *sql.DB, table string) (seq int64, found bool, err error)
	DropHeartbeat(ctx context.Context, primary *sql.DB, table string) error
	// Load reads the named counters; a name the engine does not know is an
	// error that lists those it does.
	Load(ctx context.Context, primary *sql.DB, names []string) (map[string]int64, error)
}

// CheckLoad reads the --max-load and --critical-load counters once, so a
// name the server does not know refuses the run before it changes
// anything (rather than throttling it for good later).
func CheckLoad(ctx context.Context, d Dialect, primary *sql.DB, s *Settings) error {
	if s == nil {
		return nil
	}
	v := s.snapshot()
	var names []string
	for _, th := range append(v.maxLoad, v.criticalLoad...) {
		names = append(names, th.Variable)
	}
	if len(names) == 0 {
		return nil
	}
	if _, err := d.Load(ctx, primary, names); err != nil {
		return fmt.Errorf("--max-load / --critical-load: %w", err)
	}
	return nil
}
