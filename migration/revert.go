package migration

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hotswap/hotswap/applier"
	"github.com/hotswap/hotswap/engine"
	"github.com/hotswap/hotswap/job"
)

// States of a run with a revert window, after the cut-over.
const (
	StateRevertible = "revertible" // the old table is kept current; revert swaps it back
	StateReverting  = "reverting"
	StateReverted   = "reverted"
)

// window is a revert window under way: the reverse stream and applier keep
// the old table current until a revert, a finalize, or the window's end.
type window struct {
	auto    bool // revert as soon as caught up (a revert after the run ended), no checkpoints
	rev     engine.Reverse
	applier *applier.Applier
	until   time.Time
	asks    chan windowAsk
	done    chan struct{} // closed once the window stops taking requests
}

// windowAsk is a revert (or finalize) request from the control socket,
// answered on reply once carried out.
type windowAsk struct {
	revert bool
	reply  chan error
}

// revertWindow keeps the run alive after the cut-over for --revert-window:
// it streams the table's changes into the old table until the window ends,
// a finalize, or a revert swaps the old table back. The migration itself is
// done: whatever ends the window, the run succeeded unless a revert did.
func (m *Migration) revertWindow(ctx context.Context) error {
	rev, err := m.eng.Reverse(ctx)
	if err != nil {
		fmt.Fprintf(m.cfg.Out, "The revert window could not open: %v\n", err)
		m.cfg.Log.Error().Err(err).Msg("revert window could not open; the migration stands")
		return m.finish(ctx)
	}
	table, _, _ := rev.Names()
	fmt.Fprintf(m.cfg.Out, "Migration of %s done in %s.\n", table, time.Since(m.started).Round(time.Millisecond))
	return m.runWindow(ctx, &window{rev: rev, until: time.Now().Add(m.cfg.RevertWindow)})
}

// runWindow keeps the old table current through rev until the window ends
// at until, a finalize, or a revert.
func (m *Migration) runWindow(ctx context.Context, w *window) error {
	rev := w.rev
	w.asks, w.done = make(chan windowAsk), make(chan struct{})
	w.applier = applier.New(rev.Resync(), applier.Options{Ready: rev.ResyncReady(), Workers: m.cfg.Threads, MaxKeys: maxPendingKeys})
	rev.Attach(w.applier)
	m.win.Store(w)
	m.SetState(StateRevertible)
	tasks := []job.Task{
		{Name: "reverse stream", Run: func(c context.Context) error { return rev.RunStream(c, w.applier) }},
		{Name: "reverse applier", Run: w.applier.Run},
		m.windowProgress(),
	}
	if !w.auto {
		if err := m.saveWindow(ctx, w); err != nil {
			m.cfg.Log.Warn().Err(err).Msg("the revert window's first checkpoint failed; the next one will try again")
		}
		fmt.Fprintf(m.cfg.Out, "Revert window open until %s: `hotswap revert` (same flags) or `revert` on the socket swaps the old table back; `finalize` closes the window.\n",
			w.until.Format(time.RFC3339))
		tasks = append(tasks, m.PeriodicUnless("revert window checkpoint", m.cfg.CheckpointInterval, "revert window checkpoint not written; the next one will try again",
			func(c context.Context) error { return m.saveWindow(c, w) }, engine.ConnectionLost))
	}
	for name, task := range rev.Tasks() {
		tasks = append(tasks, job.Task{Name: name, Run: task})
	}
	var reverted bool
	err := m.Work(ctx, tasks, func(c context.Context) error {
		var err error
		reverted, err = m.awaitDecision(c, w)
		return err
	})
	return m.closeWindow(w, reverted, err)
}

// awaitDecision serves revert and finalize requests until one ends the
// window, or the window's time is up. A revert that fails leaves the window
// open (the table as it was) and says why.
func (m *Migration) awaitDecision(ctx context.Context, w *window) (reverted bool, err error) {
	defer close(w.done)
	timer := time.NewTimer(time.Until(w.until))
	defer timer.Stop()
	if w.auto {
		m.SetState(StateReverting)
		if err := m.cutBack(ctx, w); err != nil {
			return false, err
		}
		m.SetState(StateReverted)
		return true, nil
	}
	for {
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-timer.C:
			m.cfg.Log.Info().Msg("revert window over")
			return false, nil
		case ask := <-w.asks:
			if !ask.revert {
				ask.reply <- nil
				m.cfg.Log.Info().Msg("revert window closed by finalize")
				return false, nil
			}
			m.SetState(StateReverting)
			err := m.cutBack(ctx, w)
			switch { // the state first: whoever asked sees it as the reply says
			case err == nil:
				m.SetState(StateReverted)
				ask.reply <- nil
				return true, nil
			case ctx.Err() != nil:
				ask.reply <- err
				return false, ctx.Err()
			}
			m.cfg.Log.Warn().Err(err).Msg("revert failed; the window stays open")
			m.SetState(StateRevertible)
			ask.reply <- err
		}
	}
}

// cutBack swaps the old table back in with the forward cut-over's retries.
func (m *Migration) cutBack(ctx context.Context, w *window) error {
	var last error
	for attempt := 1; attempt <= m.cfg.DefaultRetries; attempt++ {
		if err := waitCaughtUp(ctx, w.rev.CaughtUp, w.applier, nearlyCaughtUpKeys); err != nil {
			return err
		}
		t0 := time.Now()
		if last = w.rev.CutOverAttempt(ctx); last == nil {
			m.cfg.Log.Info().Int("attempt", attempt).Dur("held", time.Since(t0)).Msg("revert done")
			return nil
		}
		var final engine.NoRetry
		if ctx.Err() != nil || errors.As(last, &final) {
			return last
		}
		backoff := time.Duration(min(attempt, 10)) * 500 * time.Millisecond
		m.cfg.Log.Warn().Err(last).Int("attempt", attempt).Dur("backoff", backoff).Msg("revert attempt failed; table untouched, retrying")
		if job.Sleep(ctx, backoff); ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return fmt.Errorf("revert failed %d times (the table is untouched; end the long transactions on it, or raise --cut-over-lock-timeout-seconds): %w",
		m.cfg.DefaultRetries, last)
}

// closeWindow releases what the window held and says how it ended.
func (m *Migration) closeWindow(w *window, reverted bool, cause error) error {
	table, old, rev := w.rev.Names()
	if m.keepWindowForResume(cause) {
		m.keepForResume = true
		fmt.Fprintf(m.cfg.Out, "The server went away during the revert window of %s: the migration stands; the same command with --resume continues the window from its checkpoint.\n", table)
		return cause
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	m.dropCheckpointAfterSwap()
	if err := w.rev.Release(ctx); err != nil {
		m.cfg.Log.Error().Err(err).Msg("revert window: could not release the reverse stream")
	}
	out := m.cfg.Out
	switch {
	case reverted:
		fmt.Fprintf(out, "Reverted: %s has its old definition again, with every write made since the cut-over. ", table)
		m.keepOrDropReverted(ctx, rev, w.rev.DropReverted)
		return nil
	case w.auto:
		return fmt.Errorf("revert of %s: %w (%s is untouched)", table, cause, table)
	case cause != nil && !errors.Is(cause, context.Canceled):
		fmt.Fprintf(out, "The revert window stopped: %v\nThe migration stands; %s is no longer kept current: drop it when no longer needed.\n", cause, old)
		m.cfg.Log.Error().Err(cause).Msg("revert window stopped; the migration stands")
		m.SetState(StateDone)
		return nil
	case cause != nil:
		fmt.Fprintf(out, "The revert window was interrupted. The migration stands; %s is no longer kept current: drop it when no longer needed.\n", old)
		m.SetState(StateDone)
		return nil
	}
	return m.finish(ctx)
}

// windowProgress logs the window every 30 s: time left and reverse lag.
func (m *Migration) windowProgress() job.Task {
	return m.Periodic("revert window progress", 30*time.Second, "", func(context.Context) error {
		st := m.Status()
		m.cfg.Log.Info().Str("state", st.State).Float64("left_s", round1(st.RevertLeftSeconds)).
			Int64("reverse_lag_ms", st.ReverseLagMS).Int("reverse_backlog", st.ReverseBacklog).Msg("revert window")
		return nil
	})
}

// keepOrDropReverted drops the table with the new definition after a revert
// with --ok-to-drop-table, or says where it is kept.
func (m *Migration) keepOrDropReverted(ctx context.Context, rev string, drop func(context.Context) error) {
	out := m.cfg.Out
	if !m.cfg.OkToDropTable {
		fmt.Fprintf(out, "The table with the new definition is kept as %s; drop it when no longer needed.\n", rev)
		return
	}
	if err := drop(ctx); err != nil {
		fmt.Fprintf(out, "Dropping the table with the new definition, %s, failed: %v; drop it yourself.\n", rev, err)
		return
	}
	fmt.Fprintf(out, "The table with the new definition (%s) was dropped.\n", rev)
}
