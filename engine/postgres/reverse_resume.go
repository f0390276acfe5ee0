package postgres

import (
	"context"
	"fmt"
	"time"

	dialect "github.com/hotswap/hotswap/dialect/postgres"
	"github.com/hotswap/hotswap/engine"
	"github.com/hotswap/hotswap/job"
	"github.com/jackc/pglogrepl"
)

// ResumeReverse rebuilds the window of a run that crashed in it: the slot
// (kept, confirmed no further than the window's checkpoints) streams again
// from stream, still skipping through the cut-over at cut; the column map
// is derived again from the table and the old table.
func (e *Engine) ResumeReverse(ctx context.Context, cut, stream string) (engine.Reverse, error) {
	cutLSN, err := pglogrepl.ParseLSN(cut)
	if err != nil {
		return nil, job.Refuse("revert window: the checkpoint's cut-over position %q: %v", cut, err)
	}
	from, err := pglogrepl.ParseLSN(stream)
	if err != nil {
		return nil, job.Refuse("revert window: the checkpoint's stream position %q: %v", stream, err)
	}
	c := e.spec
	e.nameReverse()
	exists, err := dialect.WaitSlotFree(ctx, e.db, e.rev.slot, 30*time.Second)
	if err != nil {
		return nil, &job.Refused{Err: err}
	}
	pub, err := dialect.PublicationExists(ctx, e.db, e.rev.pub)
	if err != nil {
		return nil, &job.Refused{Err: err}
	}
	e.rev.pubCreated = pub // from here on, Release and Close drop what is there
	if !exists || !pub {
		e.rev.streamOpened = exists
		return nil, job.Refuse("revert window: the reverse replication slot or publication %s is gone: the window cannot go on (on PostgreSQL the changes since the cut-over are only kept by the window's slot; a window that ended cannot be reopened)", e.rev.slot)
	}
	m, err := loadMap(ctx, e.db, c.Schema, c.Table, e.plan.Old)
	if err != nil {
		e.rev.streamOpened = true
		return nil, &job.Refused{Err: err}
	}
	e.rev.cutLSN.Store(uint64(cutLSN)) // the cut-over's xid is not kept: streamed again, its keys are resynced once more
	e.rev.confirmed.Store(uint64(from))
	e.newReverseStream(m.table.OID, m.tableKey)
	if err := e.rev.stream.Resume(ctx, from); err != nil {
		return nil, fmt.Errorf("revert window: %w", err)
	}
	return e.newReverse(ctx, cutLSN, m)
}

// DropReverted drops the table with the new schema, kept under Reverted
// after the revert.
func (r *reverse) DropReverted(ctx context.Context) error {
	return dialect.DropTable(ctx, r.e.db, r.e.spec.Schema, r.e.plan.Reverted)
}
