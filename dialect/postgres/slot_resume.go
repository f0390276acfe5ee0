package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// WaitSlotFree waits (up to timeout) until no walsender holds the slot: a
// crashed run's walsender lets go once it notices its client is gone.
// exists is false when there is no such slot.
func WaitSlotFree(ctx context.Context, db Querier, name string, timeout time.Duration) (exists bool, err error) {
	deadline := time.Now().Add(timeout)
	for {
		var active bool
		err := db.QueryRowContext(ctx, "SELECT active FROM pg_replication_slots WHERE slot_name = $1", name).Scan(&active)
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("read replication slot %s: %w", name, err)
		}
		if !active {
			return true, nil
		}
		if time.Now().After(deadline) {
			return true, fmt.Errorf("replication slot %s is still in use by another session after %s: stop the process streaming from it (pg_stat_replication), then resume", name, timeout)
		}
		select {
		case <-ctx.Done():
			return true, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
