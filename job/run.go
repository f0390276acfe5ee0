package job

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hotswap/hotswap/control"
	"github.com/hotswap/hotswap/hooks"
	"github.com/hotswap/hotswap/metrics"
	"github.com/rs/zerolog"
)

// ErrPanic is the cause of a run stopped by the panic command or flag file.
var ErrPanic = errors.New("panic requested")

// Runner is what every kind of run (alter, backfill, and the coming revert and
// migrate) shares around its own work: its state, the hooks and their
// environment, the control socket, the panic command and flag file, and the
// background tasks that live exactly as long as the work. A run embeds one
// and adds its own Status, Set, Get and Unpostpone (control.Target).
type Runner struct {
	settings control.Settings
	execute  bool
	log      zerolog.Logger
	hooks    *hooks.Runner

	state   atomic.Value // string
	abort   aborter
	control *control.Server
	metrics atomic.Pointer[metrics.Server] // --metrics-address; nil: none (read from other goroutines: MetricsAddr)
	outer   context.Context                // the context of the last Work: it cuts the metrics linger short
	// leaveBoard ends the run's report on a shared metrics endpoint
	// (Settings.MetricsBoard), keeping its last status there.
	leaveBoard func()
	// serving starts the control server once, at the first Work; served is
	// closed when it has stopped (Close). It outlives each Work, so that a
	// run doing its work in steps (an alter, then its revert window) keeps
	// one socket throughout.
	serving sync.Once
	served  chan struct{}
	knobs
}

// NewRunner prepares the shared part of a run in state initial; env gives the
// hooks their variables (read when a hook runs).
func NewRunner(s control.Settings, execute bool, log zerolog.Logger, env func() map[string]string, initial string) *Runner {
	r := &Runner{settings: s, execute: execute, log: log}
	r.hooks = &hooks.Runner{Dir: s.HooksPath, Env: env, Log: log}
	r.state.Store(initial)
	return r
}

// State is the run's current phase.
func (r *Runner) State() string { return r.state.Load().(string) }

// SetState moves the run to phase s, logged when it changes.
func (r *Runner) SetState(s string) {
	if r.state.Swap(s) != s {
		r.log.Info().Str("state", s).Msg("state")
	}
}

// Hook runs the hooks of event (see package hooks); a failing hook fails it.
func (r *Runner) Hook(ctx context.Context, event string, vars map[string]string) error {
	return r.hooks.Run(ctx, event, vars)
}

// Begin runs the startup hook of an executing run, after checking the hooks
// directory: a failure refuses the run before anything changes.
func (r *Runner) Begin(ctx context.Context) error {
	if !r.execute {
		return nil
	}
	if err := r.hooks.Check(); err != nil {
		return &Refused{Err: err}
	}
	if err := r.hooks.Run(ctx, hooks.OnStartup, nil); err != nil {
		return &Refused{Err: err}
	}
	return nil
}

// End runs on-success or on-failure for an executing run that was not
// refused; their failures are only logged.
func (r *Runner) End(err error) {
	if !r.execute || IsRefused(err) {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err == nil {
		_ = r.hooks.Run(ctx, hooks.OnSuccess, nil)
		return
	}
	_ = r.hooks.Run(ctx, hooks.OnFailure, map[string]string{"ERROR": err.Error()})
}

// Panic stops the run now (the panic command); what it leaves is reported
// as for any failure. Before the work starts, it is remembered.
func (r *Runner) Panic() { r.abort.abort(fmt.Errorf("%w by the control command", ErrPanic)) }

// Close releases what the run holds of its own (the control socket, the
// metrics endpoint).
func (r *Runner) Close() {
	if r.leaveBoard != nil {
		r.leaveBoard()
	}
	if m := r.metrics.Load(); m != nil {
		r.lingerMetrics()
		_ = m.Close()
	}
	if r.control != nil {
		r.control.Close()
		if r.served != nil {
			<-r.served
		}
	}
}

// serveControl starts serving the control socket, at the first Work.
func (r *Runner) serveControl() {
	if r.control == nil {
		return
	}
	r.serving.Do(func() {
		r.served = make(chan struct{})
		go func() {
			defer close(r.served)
			if err := r.control.Serve(context.Background()); err != nil {
				r.log.Warn().Err(err).Msg("control socket")
			}
		}()
	})
}

// Task is background work beside a run's main work.
type Task struct {
	Name string
	Run  func(context.Context) error
}

// Work runs work with tasks beside it (and the run's own: the panic flag
// file; the control socket, served from the first Work until Close), all
// under one context. A task that fails,
// or a panic, cancels the work, and Work returns that cause rather than the
// work's "context canceled". Every task has ended when it returns.
func (r *Runner) Work(ctx context.Context, tasks []Task, work func(context.Context) error) error {
	r.outer = ctx
	runCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	r.abort.set(cancel)
	var wg sync.WaitGroup
	for _, t := range append(r.ownTasks(), tasks...) {
		wg.Go(func() {
			if err := t.Run(runCtx); err != nil && runCtx.Err() == nil {
				cancel(fmt.Errorf("%s: %w", t.Name, err))
			}
		})
	}
	err := work(runCtx)
	if cause := context.Cause(runCtx); err != nil && cause != nil && !errors.Is(cause, context.Canceled) {
		err = cause // the background failure (or panic) is the root of it
	}
	cancel(nil)
	wg.Wait()
	return err
}

func (r *Runner) ownTasks() []Task {
	r.serveControl()
	return []Task{{"panic flag file", r.watchPanicFile}}
}
