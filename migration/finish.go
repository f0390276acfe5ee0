package migration

import (
	"context"
	"fmt"
	"time"

	"github.com/hotswap/hotswap/engine"
)

// dryRun prints the plan and drops the shadow it made to validate the ALTER.
func (m *Migration) dryRun(ctx context.Context) error {
	out := m.cfg.Out
	if m.resuming {
		fmt.Fprintf(out, "Dry run of a resume: nothing was changed; --execute continues the run from the checkpoint above.\n\n")
	} else {
		fmt.Fprintf(out, "Dry run: nothing was changed (the shadow table used to check the ALTER was dropped).\n\n")
	}
	if err := m.eng.PrintPlan(ctx, out); err != nil {
		return m.refuseAndDrop(err)
	}
	fmt.Fprintf(out, "Estimated rows: %d\n", m.estimate.Load())
	fmt.Fprintf(out, "Run again with --execute to migrate.\n")
	if err := m.dropShadow(); err != nil {
		return err
	}
	m.SetState(StateDone)
	return nil
}

// finish drops the old table when asked and says what was left.
func (m *Migration) finish(ctx context.Context) error {
	m.dropCheckpointAfterSwap()
	if err := m.eng.Finish(ctx, m.cfg.Out, time.Since(m.started)); err != nil {
		return err
	}
	m.SetState(StateDone) // only now: what Finish does (naming carried keys, dropping the old table) is part of the run
	return nil
}

// reportLeftovers tells, after a failed run, which tables remain and what to do.
func (m *Migration) reportLeftovers(cause error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out := m.cfg.Out
	fmt.Fprintf(out, "Migration of %s FAILED: %v\n", m.tableName(), cause)
	fmt.Fprintf(out, "The table %s is in place and unchanged.\n", m.tableName())
	m.eng.ReportLeftovers(ctx, out, m.keepForResume)
	fmt.Fprintf(out, "`hotswap cleanup --table %s --execute` (with the same connection flags) drops every leftover of hotswap's for this table.\n", m.cfg.Table)
	m.cfg.Log.Error().Err(cause).Str("shadow", m.shadow).Msg("migration failed")
}

func (m *Migration) refuseAndDrop(err error) error {
	return engine.RefuseAndDrop(err, m.eng.DropShadow)
}

func (m *Migration) dropShadow() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return m.eng.DropShadow(ctx)
}
