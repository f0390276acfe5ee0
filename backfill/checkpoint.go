package backfill

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hotswap/hotswap/copier"
	"github.com/hotswap/hotswap/engine"
)

// checkpointState is the backfill's progress in its checkpoint table
// (_<table>_bf): every chunk up to Watermark has committed. Chunks after it
// may have committed too; a resume runs them again, which the --where must
// make harmless (see the dry run's warning).
type checkpointState struct {
	Watermark json.RawMessage `json:"watermark,omitempty"`
	// Done, Changed, Covered and Saved: read back by `hotswap status` too.
	engine.BackfillProgress
}

// checkCheckpoint refuses a new backfill over an old one's checkpoint, and
// loads the one a --resume continues from.
func (b *Backfill) checkCheckpoint(ctx context.Context) error {
	exists, err := b.eng.CheckpointExists(ctx)
	if err != nil {
		return &Refused{Err: err}
	}
	name := b.eng.CheckpointTable()
	if b.cfg.ResumeIfAny {
		b.cfg.Resume = exists
	}
	switch {
	case !exists && b.cfg.Resume:
		return refuse("nothing to resume: there is no checkpoint table %s for %s; run without --resume", name, b.tableName())
	case exists && !b.cfg.Resume:
		return refuse("a checkpoint table %s of an earlier backfill of %s exists: continue it with --resume, or drop it (`hotswap cleanup --table %s --execute`) to start over",
			name, b.tableName(), b.cfg.Table)
	case !exists:
		return nil
	}
	stmt, doc, found, err := b.eng.LoadCheckpoint(ctx)
	if err != nil {
		return &Refused{Err: err}
	}
	st := &checkpointState{}
	if found {
		if stmt != b.statement() {
			return refuse("--resume with a different change:\n  checkpointed: %s\n  requested:    %s\nresume with the checkpointed change, or drop the checkpoint (`hotswap cleanup --table %s --execute`) to start over",
				stmt, b.statement(), b.cfg.Table)
		}
		if err := json.Unmarshal([]byte(doc), st); err != nil {
			return refuse("checkpoint %s is unreadable (%v): drop it (`hotswap cleanup`) and start over", name, err)
		}
	}
	if b.start, err = copier.DecodeKey(st.Watermark); err != nil {
		return &Refused{Err: err}
	}
	b.resumed = st
	msg := fmt.Sprintf("Resuming the backfill of %s from its checkpoint of %s: %d rows changed so far", b.tableName(), st.Saved.Format(time.RFC3339), st.Changed)
	if len(st.Watermark) > 0 {
		msg += ", continuing after key " + string(st.Watermark)
	}
	fmt.Fprintln(b.cfg.Out, msg+".")
	b.cfg.Log.Info().Msg(msg)
	return nil
}

func (b *Backfill) saveCheckpoint(ctx context.Context) error {
	cp := b.running.Load().copier
	st := checkpointState{BackfillProgress: engine.BackfillProgress{Saved: b.cfg.Clock.Now().UTC(), Changed: cp.Copied(), Covered: cp.Covered()}}
	if b.resumed != nil {
		st.Changed += b.resumed.Changed
		st.Covered += b.resumed.Covered
		st.Watermark = b.resumed.Watermark
	}
	low, ok, all := cp.Watermark()
	st.Done = all
	if ok {
		raw, err := copier.EncodeKey(low)
		if err != nil {
			return fmt.Errorf("the chunk boundary cannot be checkpointed: %w", err)
		}
		st.Watermark = raw
	}
	doc, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return b.eng.SaveCheckpoint(ctx, b.statement(), string(doc))
}
