package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	dialect "github.com/hotswap/hotswap/dialect/postgres"
	"github.com/hotswap/hotswap/engine"
	"github.com/hotswap/hotswap/job"
	"github.com/jackc/pglogrepl"
)

func (e *Engine) CreateCheckpoint(ctx context.Context) error {
	return dialect.CreateCheckpoint(ctx, e.db, e.spec.Schema, e.plan.Checkpoint)
}

func (e *Engine) SaveCheckpoint(ctx context.Context, alter, state string) error {
	return dialect.SaveCheckpoint(ctx, e.db, e.spec.Schema, e.plan.Checkpoint, alter, state)
}

func (e *Engine) LoadCheckpoint(ctx context.Context) (string, string, bool, error) {
	return dialect.LoadCheckpoint(ctx, e.db, e.spec.Schema, e.plan.Checkpoint)
}

func (e *Engine) DropCheckpoint(ctx context.Context) error {
	return dialect.DropTable(ctx, e.db, e.spec.Schema, e.plan.Checkpoint)
}

// RestartPosition is the end of the last transaction handed to the applier
// (or the server's WAL end read while none was open).
func (e *Engine) RestartPosition() string {
	if e.stream == nil {
		return pglogrepl.LSN(e.confirmed.Load()).String()
	}
	return e.stream.RestartPosition()
}

// Checkpointed lets the slot release the WAL before a saved position.
func (e *Engine) Checkpointed(pos string) {
	if lsn, err := pglogrepl.ParseLSN(pos); err == nil && uint64(lsn) > e.confirmed.Load() {
		e.confirmed.Store(uint64(lsn))
	}
}

// ResumeStream streams the crashed run's slot from the checkpoint.
func (e *Engine) ResumeStream(ctx context.Context, pos string) error {
	lsn, err := pglogrepl.ParseLSN(pos)
	if err != nil {
		return fmt.Errorf("checkpoint stream position %q: %w", pos, err)
	}
	e.pubCreated = true // from here on, Close drops them when the run ends
	e.confirmed.Store(uint64(lsn))
	e.newStream()
	return e.stream.Resume(ctx, lsn)
}

func (e *Engine) Columns() string {
	return pgColumns(e.src.Columns) + " => " + pgColumns(e.dst.Columns)
}

func pgColumns(cols []dialect.Column) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = c.Name + " " + c.Type
	}
	return strings.Join(parts, ", ")
}

// checkResume looks at what the crashed run left: its checkpoint, shadow,
// publication and slot must be there; a completed cut-over (the shadow gone,
// the old table kept) ends the resume at once. A run that ended without a
// crash dropped its slot and checkpoint: it cannot be resumed.
func (e *Engine) checkResume(ctx context.Context) error {
	c := e.spec
	exists := func(name string) (bool, error) { return dialect.TableExists(ctx, e.db, c.Schema, name) }
	chk, err := exists(e.plan.Checkpoint)
	if err != nil {
		return &job.Refused{Err: err}
	}
	if !chk && c.NoCheckpointStarts {
		return e.startWithoutCheckpoint(ctx)
	}
	if !chk {
		return job.Refuse("nothing to resume: there is no checkpoint table %s.%s (a run that stopped without crashing drops it with its replication slot); run `hotswap cleanup --table %s --execute`, then start again without --resume",
			c.Schema, e.plan.Checkpoint, c.Table)
	}
	slot, err := dialect.WaitSlotFree(ctx, e.db, e.slot, 30*time.Second)
	if err != nil {
		return &job.Refused{Err: err}
	}
	if fresh, err := engine.StartOverIfEmpty(ctx, c, e, e.dropRunLeftovers); err != nil || fresh {
		if fresh {
			e.plan.Resume = false
		}
		return err
	}
	shadow, err := exists(e.plan.Shadow)
	if err != nil {
		return &job.Refused{Err: err}
	}
	old, err := exists(e.plan.Old)
	if err != nil {
		return &job.Refused{Err: err}
	}
	if !shadow && !old && e.plan.Reverted != "" {
		rev, err := exists(e.plan.Reverted)
		if err != nil {
			return &job.Refused{Err: err}
		}
		if rev { // the revert of the run's window completed: only cleanup is left
			e.plan.RevertDone = true
			e.streamOpened, e.pubCreated = slot && c.Execute, c.Execute // Close drops what is left
			return nil
		}
	}
	switch {
	case !shadow && old:
		e.plan.ResumeDone = true
		// Close drops the slot, the publication and the checkpoint
		e.streamOpened, e.pubCreated = slot && c.Execute, c.Execute
		return nil
	case !shadow:
		return job.Refuse("the checkpoint %s.%s is there but the shadow table %s is not: the run cannot resume; run `hotswap cleanup --table %s --execute` and start again",
			c.Schema, e.plan.Checkpoint, e.plan.Shadow, c.Table)
	case !slot:
		return job.Refuse("the replication slot %s the checkpoint resumes from is gone: the run cannot resume; run `hotswap cleanup --table %s --execute` and start again", e.slot, c.Table)
	case old:
		return job.Refuse("table %s.%s exists (an older run's old table?): drop or rename it, then resume", c.Schema, e.plan.Old)
	}
	ok, err := dialect.PublicationExists(ctx, e.db, e.pub)
	if err != nil {
		return &job.Refused{Err: err}
	}
	if !ok {
		return job.Refuse("the publication %s the run streams through is gone: the run cannot resume; run `hotswap cleanup --table %s --execute` and start again", e.pub, c.Table)
	}
	return nil
}

// startWithoutCheckpoint is a --resume of a table of a set whose run left
// no checkpoint table: killed before it made one (its shadow, slot and
// publication are dropped and it starts afresh), or after the set's
// cut-over (its old table is there, the shadow is not: done).
func (e *Engine) startWithoutCheckpoint(ctx context.Context) error {
	c := e.spec
	shadow, err := dialect.TableExists(ctx, e.db, c.Schema, e.plan.Shadow)
	if err != nil {
		return &job.Refused{Err: err}
	}
	old, err := dialect.TableExists(ctx, e.db, c.Schema, e.plan.Old)
	if err != nil {
		return &job.Refused{Err: err}
	}
	if old && !shadow {
		e.plan.ResumeDone = true
		return nil
	}
	e.plan.Resume = false
	if !c.Execute {
		return nil
	}
	if _, err := dialect.WaitSlotFree(ctx, e.db, e.slot, 30*time.Second); err != nil { // a killed run's WAL sender may linger
		return &job.Refused{Err: err}
	}
	if err := e.dropRunLeftovers(ctx); err != nil {
		return &job.Refused{Err: fmt.Errorf("drop what the earlier run left before its checkpoint: %w", err)}
	}
	fmt.Fprintf(c.Out, "The earlier run on %s stopped before its checkpoint: starting it over.\n", c.TableName)
	return nil
}

// dropRunLeftovers removes what a run killed before its first checkpoint
// left: slot, publication, shadow and checkpoint.
func (e *Engine) dropRunLeftovers(ctx context.Context) error {
	c := e.spec
	return errors.Join(dialect.DropSlot(ctx, e.db, e.slot), dialect.DropPublication(ctx, e.db, e.pub),
		dialect.DropTable(ctx, e.db, c.Schema, e.plan.Shadow), e.DropCheckpoint(ctx))
}
