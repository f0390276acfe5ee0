package migration

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"
)

// ErrPanic is the cause of a run stopped by the panic command or flag file.
var ErrPanic = errors.New("panic requested")

// aborter lets the control socket and the flag-file watcher stop a run
// that is under way; before the run starts it remembers the request.
type aborter struct {
	mu     sync.Mutex
	cancel context.CancelCauseFunc
	cause  error
}

func (a *aborter) set(cancel context.CancelCauseFunc) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.cancel = cancel
	if a.cause != nil {
		cancel(a.cause)
	}
}

func (a *aborter) abort(cause error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.cause == nil {
		a.cause = cause
	}
	if a.cancel != nil {
		a.cancel(cause)
	}
}

// Panic stops the run now, leaving the shadow table for inspection or a new run.
func (m *Migration) Panic() { m.abort.abort(fmt.Errorf("%w by the control command", ErrPanic)) }

// watchPanicFile aborts the run when the panic flag file appears.
func (m *Migration) watchPanicFile(ctx context.Context) error {
	f := m.cfg.PanicFlagFile
	if f == "" {
		return nil
	}
	for {
		if exists(f) {
			m.abort.abort(fmt.Errorf("%w: flag file %s exists", ErrPanic, f))
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// createPostponeFile creates the postpone flag file when it is missing, as
// gh-ost does: the cut-over then waits until someone removes it.
func (m *Migration) createPostponeFile() error {
	f := m.cfg.PostponeFlagFile
	if f == "" || exists(f) {
		return nil
	}
	if err := os.WriteFile(f, nil, 0o600); err != nil {
		return fmt.Errorf("create --postpone-cut-over-flag-file %s: %w", f, err)
	}
	return nil
}
