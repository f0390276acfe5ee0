package engine

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/hotswap/hotswap/job"
	"github.com/hotswap/hotswap/schema"
)

// RefuseAndDrop refuses the run after drop has removed the shadow this run
// created: a refused run leaves nothing behind.
func RefuseAndDrop(err error, drop func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if derr := drop(ctx); derr != nil {
		return fmt.Errorf("%w (and dropping the shadow failed: %v)", err, derr)
	}
	return &job.Refused{Err: err}
}

// StartOverIfEmpty handles a --resume of a run killed before its first
// checkpoint (the table is there, its row is not): nothing was copied, so
// nothing of that run is worth keeping. With --execute, drop removes what it
// left and the run starts afresh; a dry run only says so. started is true
// when the resume became a new run.
func StartOverIfEmpty(ctx context.Context, s Spec, cp Checkpoints, drop func(context.Context) error) (started bool, err error) {
	_, _, found, err := cp.LoadCheckpoint(ctx)
	if err != nil || found {
		return false, err
	}
	if !s.Execute {
		return false, job.Refuse("the earlier run on %s stopped before its first checkpoint: nothing was copied; --execute --resume starts it over", s.TableName)
	}
	if err := drop(ctx); err != nil {
		return false, fmt.Errorf("drop what the earlier run left before its first checkpoint: %w", err)
	}
	fmt.Fprintf(s.Out, "The earlier run on %s stopped before its first checkpoint (nothing was copied): starting it over.\n", s.TableName)
	s.Log.Warn().Msg("the earlier run stopped before its first checkpoint; starting over")
	return true, nil
}

// Reserved is a name a run needs, and whether a leftover table of that name
// may be dropped (the flag that allows it, given with --execute).
type Reserved struct {
	Name string
	Drop bool
	Flag string
}

// ReservedTables are the tables a new run creates under the plan's names.
func (s Spec) ReservedTables(p Plan) []Reserved {
	r := []Reserved{{p.Shadow, s.InitiallyDropGhost, "--initially-drop-ghost-table"},
		{p.Checkpoint, s.InitiallyDropGhost, "--initially-drop-ghost-table"},
		{p.Old, s.InitiallyDropOld, "--initially-drop-old-table"}}
	if p.Reverted != "" {
		r = append(r, Reserved{p.Reverted, s.InitiallyDropOld, "--initially-drop-old-table"})
	}
	return r
}

// PrintColumnMap prints, for a dry run, which source column fills each
// column of the new table, and which new columns the server fills itself.
func PrintColumnMap(out io.Writer, pairs []schema.ColumnPair, newColumns []string) {
	fmt.Fprintf(out, "Column map (source -> new):\n")
	for _, p := range pairs {
		fmt.Fprintf(out, "  %s -> %s\n", p.Source, p.Target)
	}
	for _, name := range newColumns {
		if !slices.ContainsFunc(pairs, func(p schema.ColumnPair) bool { return strings.EqualFold(p.Target, name) }) {
			fmt.Fprintf(out, "  (new) %s: filled by its default or generation expression\n", name)
		}
	}
}

// NoCommonKey explains why no key matches the rows of table and shadow.
func NoCommonKey(table, shadow, problem, fix string) error {
	return job.Refuse("no common key: the checksum matches the rows of %s and %s by a key both have (PRIMARY KEY or NOT NULL UNIQUE, on columns of the same names), but %s: %s",
		table, shadow, problem, fix)
}

// AnyRow says whether query returns a row.
func AnyRow(ctx context.Context, db *sql.DB, query string) (bool, error) {
	var one int
	switch err := db.QueryRowContext(ctx, query).Scan(&one); {
	case err == sql.ErrNoRows:
		return false, nil
	case err != nil:
		return false, fmt.Errorf("%s: %w", query, err)
	}
	return true, nil
}
