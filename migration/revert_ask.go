package migration

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// The control socket's side of a revert window: revert, finalize and
// revert-plan are handed to the window's run (awaitDecision), which carries
// them out between its own steps.

// Revert swaps the old table back in (the revert command); it returns once
// the revert is done, or failed and the window stays open.
func (m *Migration) Revert() error { return m.ask(true) }

// Finalize closes the revert window now (the finalize command).
func (m *Migration) Finalize() error { return m.ask(false) }

// openWindow is the revert window while it takes requests.
func (m *Migration) openWindow() (*window, error) {
	w := m.win.Load()
	if w == nil || m.State() != StateRevertible {
		if m.cfg.RevertWindow <= 0 {
			return nil, errors.New("this run has no revert window (start it with --revert-window)")
		}
		return nil, fmt.Errorf("no revert window is open: the run is %s", m.State())
	}
	return w, nil
}

func (m *Migration) ask(revert bool) error {
	w, err := m.openWindow()
	if err != nil {
		return err
	}
	reply := make(chan error, 1)
	select {
	case w.asks <- windowAsk{revert: revert, reply: reply}:
	case <-w.done:
		return errors.New("the revert window has ended")
	}
	select {
	case err := <-reply:
		return err
	case <-w.done:
		select {
		case err := <-reply:
			return err
		default:
			return errors.New("the revert window ended before the request was carried out")
		}
	}
}

// RevertPlan says what a revert would do: which tables swap, the reverse
// column map, and the writes since the cut-over already in the old table.
func (m *Migration) RevertPlan() (string, error) {
	w, err := m.openWindow()
	if err != nil {
		return "", err
	}
	table, old, rev := w.rev.Names()
	var b strings.Builder
	fmt.Fprintf(&b, "Revert of %s (cut-over at %s): %s takes the name %s, and %s becomes %s.\n", table, w.rev.Position(), old, table, table, rev)
	w.rev.PrintColumns(&b)
	fmt.Fprintf(&b, "Since the cut-over: %d key resyncs into %s, %d keys waiting, reverse lag %s; window left %s.\n",
		w.applier.Applied(), old, w.applier.Backlog(), w.rev.StreamLag().Round(time.Millisecond), time.Until(w.until).Round(time.Second))
	fmt.Fprintf(&b, "Every change so far went back into %s: none failed to map back (one that did would have stopped the window).", old)
	return b.String(), nil
}
