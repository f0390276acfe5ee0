package postgres

import (
	"context"
	"fmt"
	"io"
	"time"

	dialect "github.com/hotswap/hotswap/dialect/postgres"
	"github.com/hotswap/hotswap/job"
	"github.com/hotswap/hotswap/schema"
)

// planDependents learns the foreign keys, triggers and views the cut-over
// carries to the new table, as the ALTER leaves them (dialect.PlanDependents: the
// server answers on a copy in a rolled-back transaction). Nothing is kept:
// a --resume plans them again. A run that keeps a revert window carries
// none yet: refused.
func (e *Engine) planDependents(ctx context.Context) error {
	c := e.spec
	probe := schema.DerivedName(c.Table, "dep", pgMaxNameLen)
	deps, err := dialect.PlanDependents(ctx, e.db, c.Schema, c.Table, probe, c.Alter)
	if err != nil {
		return &job.Refused{Err: err}
	}
	if !deps.Empty() && c.RevertWindow > 0 {
		return job.Refuse("%s has foreign keys, triggers or views (%d foreign keys on it, %d referencing it, %d triggers, %d views): hotswap carries them to the new table, but not yet with --revert-window; migrate it without a revert window",
			c.TableName, len(deps.Children), len(deps.Parents), len(deps.Triggers), len(deps.Views))
	}
	e.deps = deps
	for _, line := range deps.Describe(c.Schema, c.Table) {
		c.Log.Info().Str("table", c.Table).Msg("at the cut-over: " + line)
	}
	return nil
}

// printDependents tells a dry run what the cut-over does to each object.
func (e *Engine) printDependents(out io.Writer) {
	lines := e.deps.Describe(e.spec.Schema, e.spec.Table)
	if len(lines) == 0 {
		return
	}
	fmt.Fprintf(out, "\nCarried to the new table (the cut-over also locks, for its few milliseconds, the tables these relate it to):\n")
	for _, l := range lines {
		fmt.Fprintf(out, "  - %s\n", l)
	}
}

// validateForeignKeys validates, after the swap, the foreign keys the
// cut-over added NOT VALID that were valid before: a scan of the table
// holding each key under a lock that lets writes go on. A failure leaves
// the key NOT VALID (still enforced for every new write) and says how to
// validate it by hand.
func (e *Engine) validateForeignKeys(ctx context.Context, out io.Writer) {
	for _, v := range dialect.ValidateSQL(e.spec.Schema, e.spec.Table, e.deps) {
		start := time.Now()
		if _, err := e.db.ExecContext(ctx, v.SQL); err != nil {
			fmt.Fprintf(out, "Validating %s failed: %v\nIt is enforced for new writes but NOT VALID; validate it yourself: %s;\n", v.What, err, v.SQL)
			continue
		}
		took := time.Since(start).Round(time.Millisecond)
		e.spec.Log.Info().Str("table", e.spec.Table).Dur("took", took).Msg("validated " + v.What)
		fmt.Fprintf(out, "Validated %s in %s.\n", v.What, took)
	}
}
