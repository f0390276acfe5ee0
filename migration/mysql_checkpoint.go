package migration

import (
	"context"
	"strings"

	"github.com/hotswap/hotswap/dialect/mysql"
	"github.com/hotswap/hotswap/schema"
)

func (e *mysqlEngine) createCheckpoint(ctx context.Context) error {
	return mysql.CreateCheckpoint(ctx, e.db, e.m.cfg.Conn.Database, e.m.chk)
}

func (e *mysqlEngine) saveCheckpoint(ctx context.Context, alter, state string) error {
	return mysql.SaveCheckpoint(ctx, e.db, e.m.cfg.Conn.Database, e.m.chk, alter, state)
}

func (e *mysqlEngine) loadCheckpoint(ctx context.Context) (string, string, bool, error) {
	return mysql.LoadCheckpoint(ctx, e.db, e.m.cfg.Conn.Database, e.m.chk)
}

func (e *mysqlEngine) dropCheckpoint(ctx context.Context) error {
	return mysql.DropTable(ctx, e.db, e.m.cfg.Conn.Database, e.m.chk)
}

// restartPosition is where a resumed run's stream starts: the stream's
// restart point, which is where it was opened until its goroutine has read
// a whole transaction (a run failing at once must still checkpoint a
// position it can resume from, never an empty one). The checkpointer runs
// only once the stream is opened.
func (e *mysqlEngine) restartPosition() string {
	if e.stream == nil {
		return ""
	}
	return e.stream.RestartPosition()
}

func (e *mysqlEngine) checkpointed(string) {} // the server keeps binlogs by its own rules

// resumeStream restarts the binlog stream at the checkpoint, which must
// still be on the server; if it is not, the resume is refused before it
// writes anything: the changes since the checkpoint are lost to it.
func (e *mysqlEngine) resumeStream(ctx context.Context, pos string) error {
	start, err := mysql.ParseBinlogPos(pos)
	if err != nil {
		return err
	}
	ok, err := mysql.BinlogExists(ctx, e.db, start.File)
	if err != nil {
		return err
	}
	if !ok {
		return refuse("the binary log %s the checkpoint resumes from was purged (see binlog_expire_logs_seconds / expire_logs_days): the run cannot resume; run `hotswap cleanup --table %s --execute` and start again",
			start.File, e.m.cfg.Table)
	}
	return e.openStream(start)
}

func (e *mysqlEngine) columns() string {
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
func (e *mysqlEngine) checkResume(ctx context.Context) error {
	c := e.m.cfg
	db := c.Conn.Database
	exists := func(name string) (bool, error) { return mysql.TableExists(ctx, e.db, db, name) }
	chk, err := exists(e.m.chk)
	if err != nil {
		return &Refused{Err: err}
	}
	if !chk {
		return refuse("nothing to resume: there is no checkpoint table %s.%s; run without --resume", db, e.m.chk)
	}
	if fresh, err := e.m.startOverIfEmpty(ctx, e.dropRunLeftovers); err != nil || fresh {
		return err
	}
	shadow, err := exists(e.m.shadow)
	if err != nil {
		return &Refused{Err: err}
	}
	old, err := exists(e.m.old)
	if err != nil {
		return &Refused{Err: err}
	}
	sentry := false
	if old {
		if sentry, err = mysql.IsSentry(ctx, e.db, db, e.m.old); err != nil {
			return &Refused{Err: err}
		}
	}
	switch {
	case !shadow && old && !sentry:
		e.m.resumeDone = true
		return nil
	case !shadow:
		return refuse("the checkpoint %s.%s is there but the shadow table %s is not: the run cannot resume; run `hotswap cleanup --table %s --execute` and start again",
			db, e.m.chk, e.m.shadow, c.Table)
	case old && !sentry:
		return refuse("table %s.%s exists and is not hotswap's cut-over sentry (an older run's old table?): drop or rename it, then resume", db, e.m.old)
	case sentry && c.Execute:
		c.Log.Warn().Str("table", e.m.old).Msg("dropping the cut-over sentry the interrupted run left")
		if err := mysql.DropTable(ctx, e.db, db, e.m.old); err != nil {
			return &Refused{Err: err}
		}
	}
	return nil
}

// dropRunLeftovers removes what a run killed before its first checkpoint
// left: shadow, checkpoint, and a cut-over sentry (never a real old table).
func (e *mysqlEngine) dropRunLeftovers(ctx context.Context) error {
	db := e.m.cfg.Conn.Database
	if sentry, err := mysql.IsSentry(ctx, e.db, db, e.m.old); err == nil && sentry {
		if err := mysql.DropTable(ctx, e.db, db, e.m.old); err != nil {
			return err
		}
	}
	if err := mysql.DropTable(ctx, e.db, db, e.m.shadow); err != nil {
		return err
	}
	return e.dropCheckpoint(ctx)
}
