package migration

import (
	"context"
	"fmt"
	"time"
)

// revertAfterRun reverts an ended migration (MySQL/MariaDB): a window that
// replays the binary log from the cut-over into the old table and reverts
// as soon as it has caught up. Started again after a failure, it replays
// from the cut-over again (resyncs are idempotent).
func (m *Migration) revertAfterRun(ctx context.Context) error {
	rev, err := m.eng.ResumeReverse(ctx, m.cfg.RevertFrom, m.cfg.RevertFrom)
	if err != nil {
		return err
	}
	table, old, rev2 := rev.Names()
	if !m.cfg.Execute {
		fmt.Fprintf(m.cfg.Out, "Dry run: %s would be reverted: the binary log from the cut-over at %s is replayed into %s, which then swaps back in; %s is kept as %s.\n",
			table, m.cfg.RevertFrom, old, table, rev2)
		rev.PrintColumns(m.cfg.Out)
		fmt.Fprintln(m.cfg.Out, "Run again with --execute to revert.")
		return nil
	}
	fmt.Fprintf(m.cfg.Out, "Replaying the binary log from the cut-over at %s into %s, then swapping it back in.\n", m.cfg.RevertFrom, old)
	return m.runWindow(ctx, &window{auto: true, rev: rev, until: time.Now().Add(24 * time.Hour)})
}
