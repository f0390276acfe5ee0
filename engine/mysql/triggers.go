package mysql

import (
	"context"
	"fmt"
	"io"
	"time"

	dialect "github.com/hotswap/hotswap/dialect/mysql"
	"github.com/hotswap/hotswap/job"
)

// checkTriggers reads the table's triggers, which the cut-over carries to
// the new table, and refuses what it cannot carry yet: a name too long for
// the suffix it carries them under, a revert window (the reverse stream's
// writes into the old table would fire them), hotswap revert.
func (e *Engine) checkTriggers(ctx context.Context) error {
	c := e.spec
	db := c.Conn.Database
	trgs, err := dialect.ReadTriggers(ctx, e.db, db, c.Table)
	if err != nil {
		return &job.Refused{Err: err}
	}
	if len(trgs) == 0 {
		return nil
	}
	if c.RevertFrom != "" {
		return job.Refuse("%s.%s has %d triggers: hotswap revert does not carry triggers back to the old table yet; drop them, revert, and create them again", db, c.Table, len(trgs))
	}
	for _, t := range trgs {
		if len(t.Name) > dialect.MaxTriggerName {
			return job.Refuse("trigger %s on %s.%s: its name is longer than %d characters, which hotswap needs to carry it to the new table under a temporary name; rename it (drop and create it again) first",
				t.Name, db, c.Table, dialect.MaxTriggerName)
		}
	}
	if c.RevertWindow > 0 {
		return job.Refuse("%s.%s has %d triggers: hotswap carries them to the new table, but not yet with --revert-window (the reverse stream's writes into the old table would fire them); migrate it without a revert window",
			db, c.Table, len(trgs))
	}
	e.triggers = trgs
	return nil
}

// probeTriggers creates each trigger on the new shadow (as its TempName)
// and drops it again: the server checks the body's NEW and OLD columns
// against the new definition, and the definer against hotswap's
// privileges, before any row is copied. A trigger that names a column the
// ALTER drops or renames is refused with its name.
func (e *Engine) probeTriggers(ctx context.Context) error {
	db := e.spec.Conn.Database
	n, err := dialect.CreateTriggers(ctx, e.db, db, e.plan.Shadow, e.triggers, dialect.Trigger.TempName)
	derr := e.dropShadowTriggers(ctx)
	if err != nil {
		hint := dialect.TriggerRefusalHint(err, e.triggers[n])
		if hint == "" {
			hint = "hotswap moves each trigger to the new table at the cut-over, so it must hold there"
		}
		return job.Refuse("trigger %s cannot be carried to the new table: %v: %s (nothing was changed)", e.triggers[n].Name, err, hint)
	}
	return derr
}

// dropShadowTriggers drops the carried triggers from the shadow: those of
// the probe, or of a cut-over attempt a crash interrupted (a --resume).
func (e *Engine) dropShadowTriggers(ctx context.Context) error {
	names := make([]string, len(e.triggers))
	for i, t := range e.triggers {
		names[i] = t.TempName()
	}
	return dialect.DropTriggers(ctx, e.db, e.spec.Conn.Database, names)
}

// nameCarriedTriggers gives the triggers the cut-over carried their own
// names (dialect.RestoreTriggerNames), retrying while the tables are busy;
// if it still fails, they keep working under their temporary names and the
// output says how to finish.
func (e *Engine) nameCarriedTriggers(ctx context.Context, out io.Writer) {
	db, table := e.spec.Conn.Database, e.spec.Table
	trgs, err := dialect.CarriedTriggers(ctx, e.db, db, table)
	if err != nil || len(trgs) == 0 {
		return
	}
	start := time.Now()
	err = retryNaming(ctx, func() error {
		return dialect.RestoreTriggerNames(ctx, e.db, db, table, e.plan.Old, trgs, e.spec.CutOverLockTimeout)
	})
	if err == nil {
		e.spec.Log.Info().Int("triggers", len(trgs)).Dur("took", time.Since(start)).Msg("carried triggers named as before")
		return
	}
	e.spec.Log.Warn().Err(err).Str("table", table).Msg("the carried triggers keep their temporary names")
	fmt.Fprintf(out, "The triggers of %s.%s work on the new table, but under temporary names (suffix %s): %v\nName them again with `hotswap alter ... --resume` while the checkpoint table is there, or by hand.\n",
		db, table, dialect.TriggerSuffix, err)
}
