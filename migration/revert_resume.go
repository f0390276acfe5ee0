package migration

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hotswap/hotswap/engine"
	"github.com/hotswap/hotswap/job"
)

// A revert window is checkpointed like a forward run: the checkpoint table
// stays, with the window's part (windowCheckpoint) rewritten every
// CheckpointInterval, so that a run killed in its window (kill -9, a server
// restart) continues it with --resume --revert-window: the reverse stream
// restarts where every earlier change is in the old table; the window keeps
// its end. A --resume that finds the revert completed only cleans up.

// windowCheckpoint is the window's state in the checkpoint: the cut-over's
// stream position, the reverse stream's restart position (every change
// before it is in the old table), and when the window ends.
type windowCheckpoint struct {
	Cut    string    `json:"cut"`
	Stream string    `json:"stream"`
	Until  time.Time `json:"until"`
}

// saveWindow writes the window's checkpoint: the restart position is read
// first, then the reverse applier is marked and the write waits until every
// key added before the mark is in the old table (as checkpointer.save).
func (m *Migration) saveWindow(ctx context.Context, w *window) error {
	pos := w.rev.RestartPosition()
	mark := w.applier.Mark()
	for !w.applier.Covered(mark) {
		if job.Sleep(ctx, 50*time.Millisecond); ctx.Err() != nil {
			return ctx.Err()
		}
	}
	st := checkpointState{CopyProgress: engine.CopyProgress{CopyDone: true, Saved: time.Now().UTC()},
		Window: &windowCheckpoint{Cut: w.rev.Position(), Stream: pos, Until: w.until}}
	doc, err := json.Marshal(st)
	if err != nil {
		return err
	}
	if err := m.eng.SaveCheckpoint(ctx, m.cfg.Alter, string(doc)); err != nil {
		return err
	}
	m.ckptMade.Store(true)
	w.rev.Checkpointed(pos)
	return nil
}

// resumeWindowIfAny handles a --resume that found the cut-over done: a
// revert already completed is cleaned up; a window still open goes on (with
// --revert-window); done is false when there was no window to handle.
func (m *Migration) resumeWindowIfAny(ctx context.Context) (done bool, err error) {
	var st checkpointState
	_, doc, found, err := m.eng.LoadCheckpoint(ctx)
	if err != nil || !found || json.Unmarshal([]byte(doc), &st) != nil || st.Window == nil {
		return m.revertDone, m.cleanUpRevert(ctx, err)
	}
	if m.revertDone || m.cfg.RevertWindow <= 0 || time.Now().After(st.Window.Until) {
		if !m.revertDone { // the window is over: drop what it held, then finishResumed
			return false, m.eng.DropReverse(ctx)
		}
		return true, m.cleanUpRevert(ctx, nil)
	}
	rev, err := m.eng.ResumeReverse(ctx, st.Window.Cut, st.Window.Stream)
	if err != nil {
		fmt.Fprintf(m.cfg.Out, "The revert window of %s cannot go on: %v\nThe migration stands.\n", m.tableName(), err)
		return false, m.eng.DropReverse(ctx) // finishResumed then removes the checkpoint
	}
	fmt.Fprintf(m.cfg.Out, "Resuming the revert window of %s from %s (the cut-over was at %s).\n", m.tableName(), st.Window.Stream, st.Window.Cut)
	return true, m.runWindow(ctx, &window{rev: rev, until: st.Window.Until})
}

// cleanUpRevert removes what a window stopped by a crash left, and says so
// when its revert had completed.
func (m *Migration) cleanUpRevert(ctx context.Context, cause error) error {
	if cause != nil || !m.revertDone {
		return cause
	}
	if err := m.eng.DropReverse(ctx); err != nil {
		return err
	}
	if err := m.eng.DropCheckpoint(ctx); err != nil {
		return err
	}
	m.SetState(StateReverted)
	fmt.Fprintf(m.cfg.Out, "The earlier run's revert of %s had completed: the table has its old definition again. Its checkpoint was removed; nothing else to do.\n", m.tableName())
	return nil
}

// keepWindowForResume says whether the window stopped because the server
// went away: its checkpoint (and PostgreSQL slot) then stay for --resume.
func (m *Migration) keepWindowForResume(cause error) bool {
	return cause != nil && engine.ConnectionLost(cause) && m.ckptMade.Load()
}
