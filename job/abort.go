package job

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"
)

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

// watchPanicFile aborts the run when --panic-flag-file appears.
func (r *Runner) watchPanicFile(ctx context.Context) error {
	f := r.settings.PanicFlagFile
	if f == "" {
		return nil
	}
	for {
		if Exists(f) {
			r.abort.abort(fmt.Errorf("%w: flag file %s exists", ErrPanic, f))
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// Exists says whether a flag file is there.
func Exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// Sleep waits d, or less if ctx ends first (the caller looks at ctx.Err()).
func Sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
