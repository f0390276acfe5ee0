package job

import (
	"context"
	"time"

	"github.com/hotswap/hotswap/control"
	"github.com/hotswap/hotswap/hooks"
	"github.com/hotswap/hotswap/metrics"
)

// Listen binds the control socket (--serve-socket-file, --serve-tcp-port)
// before anything changes, so a busy socket refuses the run. opts gives what
// differs between kinds of run (the table, named commands); every command
// is vetted by the on-interactive-command hook first, as in gh-ost.
func (r *Runner) Listen(opts control.Options, target control.Target) error {
	s := r.settings
	if s.MetricsBoard != nil {
		r.leaveBoard = s.MetricsBoard.Add(target.Status)
	} else if s.MetricsAddress != "" {
		m, err := metrics.Serve(s.MetricsAddress, target.Status)
		if err != nil {
			return &Refused{Err: err}
		}
		r.metrics.Store(m)
		r.log.Info().Str("metrics", "http://"+m.Addr()+"/metrics").Msg("serving metrics and /status")
	}
	if s.ServeSocketFile == "" && s.ServeTCPPort == 0 {
		return nil
	}
	opts.SocketPath, opts.TCPPort, opts.BeforeCommand, opts.Log = s.ServeSocketFile, s.ServeTCPPort, r.vetCommand, r.log
	srv, err := control.Listen(opts, target)
	if err != nil {
		return &Refused{Err: err}
	}
	r.control = srv
	return nil
}

// vetCommand runs the on-interactive-command hook before a socket command; a
// failing hook refuses the command.
func (r *Runner) vetCommand(line string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second) // inside the socket's 5 s deadline
	defer cancel()
	return r.hooks.Run(ctx, hooks.OnInteractiveCommand, map[string]string{"COMMAND": line})
}

// MetricsAddr is the address of the metrics endpoint, "" without one.
func (r *Runner) MetricsAddr() string {
	m := r.metrics.Load()
	if m == nil {
		return ""
	}
	return m.Addr()
}

// ControlAddr is the TCP address of the control server, "" without one.
func (r *Runner) ControlAddr() string {
	if r.control == nil {
		return ""
	}
	return r.control.TCPAddr()
}

// lingerMetrics keeps the metrics endpoint up for --metrics-linger once the
// run has ended, so that a scrape sees its final state; the run's own
// context (Ctrl-C) ends the wait early.
func (r *Runner) lingerMetrics() {
	linger := r.settings.MetricsLinger
	if linger <= 0 || r.outer == nil || r.outer.Err() != nil {
		return
	}
	r.log.Info().Str("state", r.State()).Dur("for", linger).Msg("serving the final metrics (--metrics-linger); Ctrl-C ends it")
	Sleep(r.outer, linger)
}
