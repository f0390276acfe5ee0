package job

import (
	"context"
	"time"

	"github.com/hotswap/hotswap/control"
	"github.com/hotswap/hotswap/hooks"
)

// Listen binds the control socket (--serve-socket-file, --serve-tcp-port)
// before anything changes, so a busy socket refuses the run. opts gives what
// differs between kinds of run (the table, named commands); every command
// is vetted by the on-interactive-command hook first, as in gh-ost.
func (r *Runner) Listen(opts control.Options, target control.Target) error {
	s := r.settings
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

// ControlAddr is the TCP address of the control server, "" without one.
func (r *Runner) ControlAddr() string {
	if r.control == nil {
		return ""
	}
	return r.control.TCPAddr()
}
