package mysql

import (
	"context"
	"fmt"
	"strings"

	dialect "github.com/hotswap/hotswap/dialect/mysql"
	"github.com/hotswap/hotswap/engine"
	"github.com/hotswap/hotswap/job"
	"github.com/hotswap/hotswap/schema"
)

func (e *Engine) CreateCheckpoint(ctx context.Context) error {
	return dialect.CreateCheckpoint(ctx, e.db, e.spec.Conn.Database, e.plan.Checkpoint)
}

func (e *Engine) SaveCheckpoint(ctx context.Context, alter, state string) error {
	return dialect.SaveCheckpoint(ctx, e.db, e.spec.Conn.Database, e.plan.Checkpoint, alter, state)
}

func (e *Engine) LoadCheckpoint(ctx context.Context) (string, string, bool, error) {
	return dialect.LoadCheckpoint(ctx, e.db, e.spec.Conn.Database, e.plan.Checkpoint)
}

func (e *Engine) DropCheckpoint(ctx context.Context) error {
	return dialect.DropTable(ctx, e.db, e.spec.Conn.Database, e.plan.Checkpoint)
}

// RestartPosition is where a resumed run's stream starts: the stream's
// restart point, which is where it was opened until its goroutine has read
// a whole transaction (a run failing at once must still checkpoint a
// position it can resume from, never an empty one). The checkpointer runs
// only once the stream is opened.
func (e *Engine) RestartPosition() string {
	if e.stream == nil {
		return ""
	}
	return e.stream.RestartPosition()
}

func (e *Engine) Checkpointed(string) {} // the server keeps binlogs by its own rules

// ResumeStream restarts the binlog stream at the checkpoint, which must
// still be on the server; if it is not, the resume is refused before it
// writes anything: the changes since the checkpoint are lost to it.
func (e *Engine) ResumeStream(ctx context.Context, pos string) error {
	start, err := e.keptBinlog(ctx, pos, "the run cannot resume; run `hotswap cleanup --table "+e.spec.Table+" --execute` and start again")
	if err != nil {
		return err
	}
	return e.openStream(start)
}

// keptBinlog parses pos and refuses (saying fix) when the server no longer
// holds the binary log it is in: the changes since are lost to a stream.
func (e *Engine) keptBinlog(ctx context.Context, pos, fix string) (dialect.BinlogPos, error) {
	start, err := dialect.ParseBinlogPos(pos)
	if err != nil {
		return start, &job.Refused{Err: err}
	}
	ok, err := dialect.BinlogExists(ctx, e.db, start.File)
	if err != nil {
		return start, err
	}
	if !ok {
		oldest, _ := dialect.OldestBinlog(ctx, e.db)
		return start, job.Refuse("the binary log %s (position %s) was purged; the oldest one left is %s (see binlog_expire_logs_seconds / expire_logs_days): %s",
			start.File, pos, oldest, fix)
	}
	return start, nil
}

func (e *Engine) Columns() string {
	return mysqlColumns(e.src.Columns) + " => " + mysqlColumns(e.dst.Columns)
}

func mysqlColumns(cols []schema.Column) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = c.Name + " " + c.FullType
	}
	return strings.Join(parts, ", ")
}

// checkResume looks at what the run being resumed left: its checkpoint and
// shadow must be there; a cut-over sentry it left is dropped; a completed
// cut-over (the shadow gone, the old table kept) ends the resume at once.
func (e *Engine) checkResume(ctx context.Context) error {
	c := e.spec
	db := c.Conn.Database
	exists := func(name string) (bool, error) { return dialect.TableExists(ctx, e.db, db, name) }
	chk, err := exists(e.plan.Checkpoint)
	if err != nil {
		return &job.Refused{Err: err}
	}
	if !chk && c.NoCheckpointStarts {
		return e.startWithoutCheckpoint(ctx)
	}
	if !chk {
		return job.Refuse("nothing to resume: there is no checkpoint table %s.%s; run without --resume", db, e.plan.Checkpoint)
	}
	if fresh, err := engine.StartOverIfEmpty(ctx, e.spec, e, e.dropRunLeftovers); err != nil || fresh {
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
	sentry := false
	if old {
		if sentry, err = dialect.IsSentry(ctx, e.db, db, e.plan.Old); err != nil {
			return &job.Refused{Err: err}
		}
	}
	if !shadow && e.plan.Reverted != "" {
		reverted, err := e.checkRevertLeft(ctx)
		if err != nil || (reverted && !old) {
			e.plan.RevertDone = err == nil
			return err
		}
	}
	switch {
	case !shadow && old && !sentry:
		e.plan.ResumeDone = true
		if c.Execute { // a crash between the RENAME and the naming of the carried keys and triggers
			e.nameCarriedKeys(ctx, c.Out)
			e.nameCarriedTriggers(ctx, c.Out)
		}
		return nil
	case !shadow:
		return job.Refuse("the checkpoint %s.%s is there but the shadow table %s is not: the run cannot resume; run `hotswap cleanup --table %s --execute` and start again",
			db, e.plan.Checkpoint, e.plan.Shadow, c.Table)
	case old && !sentry:
		return job.Refuse("table %s.%s exists and is not hotswap's cut-over sentry (an older run's old table?): drop or rename it, then resume", db, e.plan.Old)
	case sentry && c.Execute:
		c.Log.Warn().Str("table", e.plan.Old).Msg("dropping the cut-over sentry the interrupted run left")
		if err := dialect.DropTable(ctx, e.db, db, e.plan.Old); err != nil {
			return &job.Refused{Err: err}
		}
	}
	return nil
}

// startWithoutCheckpoint is a --resume of a table of a set whose run left
// no checkpoint table: killed before it made one (its shadow is dropped and
// it starts afresh), or after the set's cut-over (its old table is there,
// the shadow is not: done).
func (e *Engine) startWithoutCheckpoint(ctx context.Context) error {
	db := e.spec.Conn.Database
	shadow, err := dialect.TableExists(ctx, e.db, db, e.plan.Shadow)
	if err != nil {
		return &job.Refused{Err: err}
	}
	old, err := dialect.TableExists(ctx, e.db, db, e.plan.Old)
	if err == nil && old {
		old, err = dialect.IsSentry(ctx, e.db, db, e.plan.Old)
		old = !old
	}
	if err != nil {
		return &job.Refused{Err: err}
	}
	if old && !shadow {
		e.plan.ResumeDone = true
		return nil
	}
	e.plan.Resume = false
	if !e.spec.Execute {
		return nil
	}
	if err := e.dropRunLeftovers(ctx); err != nil {
		return &job.Refused{Err: fmt.Errorf("drop what the earlier run left before its checkpoint: %w", err)}
	}
	fmt.Fprintf(e.spec.Out, "The earlier run on %s stopped before its checkpoint: starting it over.\n", e.spec.TableName)
	return nil
}

// dropRunLeftovers removes what a run killed before its first checkpoint
// left: shadow, checkpoint, and a cut-over sentry (never a real old table).
func (e *Engine) dropRunLeftovers(ctx context.Context) error {
	db := e.spec.Conn.Database
	if sentry, err := dialect.IsSentry(ctx, e.db, db, e.plan.Old); err == nil && sentry {
		if err := dialect.DropTable(ctx, e.db, db, e.plan.Old); err != nil {
			return err
		}
	}
	if err := dialect.DropTable(ctx, e.db, db, e.plan.Shadow); err != nil {
		return err
	}
	return e.DropCheckpoint(ctx)
}

// checkRevertLeft looks at what a run stopped in its revert window left
// under the reverted name: the revert's own sentry (dropped: the revert did
// not happen), or the table with the new schema (the revert completed).
func (e *Engine) checkRevertLeft(ctx context.Context) (reverted bool, err error) {
	db, rev := e.spec.Conn.Database, e.plan.Reverted
	exists, err := dialect.TableExists(ctx, e.db, db, rev)
	if err != nil || !exists {
		return false, wrapRefused(err)
	}
	sentry, err := dialect.IsSentry(ctx, e.db, db, rev)
	if err != nil || !sentry {
		return err == nil, wrapRefused(err)
	}
	if !e.spec.Execute {
		return false, nil
	}
	e.spec.Log.Warn().Str("table", rev).Msg("dropping the revert's cut-over sentry the interrupted run left")
	return false, wrapRefused(dialect.DropTable(ctx, e.db, db, rev))
}

func wrapRefused(err error) error {
	if err == nil {
		return nil
	}
	return &job.Refused{Err: err}
}
