package migration

import (
	"context"
	"fmt"
)

// Cleanup lists what earlier runs on the table left behind (shadow table,
// cut-over sentry, heartbeat table; on PostgreSQL also the probe table, the
// replication slot and the publication) and, with cfg.Execute, drops it.
// It never drops the old table a finished run kept, and refuses while a run
// on the table is live (it holds the run lock).
func Cleanup(ctx context.Context, cfg Config) error {
	m := New(cfg)
	if m.engErr != nil {
		return m.engErr
	}
	defer m.eng.Close(false)
	if err := m.eng.Connect(ctx); err != nil {
		return err
	}
	found, err := m.eng.Leftovers(ctx)
	if err != nil {
		return err
	}
	out := m.cfg.Out
	if len(found) == 0 {
		fmt.Fprintf(out, "Nothing left behind by hotswap for %s.\n", m.tableName())
		return nil
	}
	for _, l := range found {
		fmt.Fprintf(out, "Left behind: %s\n    %s\n", l.What, l.SQL)
	}
	if !m.cfg.Execute {
		fmt.Fprintf(out, "Run again with --execute to drop these.\n")
		return nil
	}
	for _, l := range found {
		if err := l.Drop(ctx); err != nil {
			return fmt.Errorf("drop %s: %w", l.What, err)
		}
		fmt.Fprintf(out, "Dropped %s.\n", l.What)
	}
	return nil
}
