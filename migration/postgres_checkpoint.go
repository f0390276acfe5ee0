package migration

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hotswap/hotswap/dialect/postgres"
	"github.com/jackc/pglogrepl"
)

func (e *postgresEngine) createCheckpoint(ctx context.Context) error {
	return postgres.CreateCheckpoint(ctx, e.db, e.m.cfg.Schema, e.m.chk)
}

func (e *postgresEngine) saveCheckpoint(ctx context.Context, alter, state string) error {
	return postgres.SaveCheckpoint(ctx, e.db, e.m.cfg.Schema, e.m.chk, alter, state)
}

func (e *postgresEngine) loadCheckpoint(ctx context.Context) (string, string, bool, error) {
	return postgres.LoadCheckpoint(ctx, e.db, e.m.cfg.Schema, e.m.chk)
}

func (e *postgresEngine) dropCheckpoint(ctx context.Context) error {
	return postgres.DropTable(ctx, e.db, e.m.cfg.Schema, e.m.chk)
}

// restartPosition is the end of the last transaction handed to the applier
// (or the server's WAL end read while none was open).
func (e *postgresEngine) restartPosition() string {
	if e.stream == nil {
		return pglogrepl.LSN(e.confirmed.Load()).String()
	}
	return e.stream.RestartPosition()
}

// checkpointed lets the slot release the WAL before a saved position.
func (e *postgresEngine) checkpointed(pos string) {
	if lsn, err := pglogrepl.ParseLSN(pos); err == nil && uint64(lsn) > e.confirmed.Load() {
		e.confirmed.Store(uint64(lsn))
	}
}

// resumeStream streams the crashed run's slot from the checkpoint.
func (e *postgresEngine) resumeStream(ctx context.Context, pos string) error {
	lsn, err := pglogrepl.ParseLSN(pos)
	if err != nil {
		return fmt.Errorf("checkpoint stream position %q: %w", pos, err)
	}
	e.pubCreated = true // from here on, close drops them when the run ends
	e.confirmed.Store(uint64(lsn))
	e.newStream()
	return e.stream.Resume(ctx, lsn)
}

func (e *postgresEngine) columns() string {
	return pgColumns(e.src.Columns) + " => " + pgColumns(e.dst.Columns)
}

func pgColumns(cols []postgres.Column) string {
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
func (e *postgresEngine) checkResume(ctx context.Context) error {
	c := e.m.cfg
	exists := func(name string) (bool, error) { return postgres.TableExists(ctx, e.db, c.Schema, name) }
	chk, err := exists(e.m.chk)
	if err != nil {
		return &Refused{Err: err}
	}
	if !chk {
		return refuse("nothing to resume: there is no checkpoint table %s.%s (a run that stopped without crashing drops it with its replication slot); run `hotswap cleanup --table %s --execute`, then start again without --resume",
			c.Schema, e.m.chk, c.Table)
	}
	slot, err := postgres.WaitSlotFree(ctx, e.db, e.slot, 30*time.Second)
	if err != nil {
		return &Refused{Err: err}
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
	switch {
	case !shadow && old:
		e.m.resumeDone = true
		// close drops the slot, the publication and the checkpoint
		e.streamOpened, e.pubCreated = slot && c.Execute, c.Execute
		return nil
	case !shadow:
		return refuse("the checkpoint %s.%s is there but the shadow table %s is not: the run cannot resume; run `hotswap cleanup --table %s --execute` and start again",
			c.Schema, e.m.chk, e.m.shadow, c.Table)
	case !slot:
		return refuse("the replication slot %s the checkpoint resumes from is gone: the run cannot resume; run `hotswap cleanup --table %s --execute` and start again", e.slot, c.Table)
	case old:
		return refuse("table %s.%s exists (an older run's old table?): drop or rename it, then resume", c.Schema, e.m.old)
	}
	ok, err := postgres.PublicationExists(ctx, e.db, e.pub)
	if err != nil {
		return &Refused{Err: err}
	}
	if !ok {
		return refuse("the publication %s the run streams through is gone: the run cannot resume; run `hotswap cleanup --table %s --execute` and start again", e.pub, c.Table)
	}
	return nil
}

// dropRunLeftovers removes what a run killed before its first checkpoint
// left: slot, publication, shadow and checkpoint.
func (e *postgresEngine) dropRunLeftovers(ctx context.Context) error {
	c := e.m.cfg
	return errors.Join(postgres.DropSlot(ctx, e.db, e.slot), postgres.DropPublication(ctx, e.db, e.pub),
		postgres.DropTable(ctx, e.db, c.Schema, e.m.shadow), e.dropCheckpoint(ctx))
}
