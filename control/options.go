package control

import (
	"errors"

	"github.com/rs/zerolog"
)

// AnyPort as Options.TCPPort binds 127.0.0.1 on a free port (see
// Server.TCPAddr). TCPPort 0 means no TCP listener, as --serve-tcp-port's
// default does.
const AnyPort = -1

// Options says where the server listens and how strict it is.
type Options struct {
	SocketPath string // unix socket, mode 0600; "" for none
	TCPPort    int    // 127.0.0.1 only; 0 for none, AnyPort for a free one

	// Table is the migrated table's name, which the forced named forms
	// `cut-over=<table>` and `panic=<table>` must repeat. With several
	// migrations on one host this keeps a command typed into the wrong
	// socket from swapping or aborting the wrong table.
	Table             string
	ForceNamedCutOver bool
	ForceNamedPanic   bool

	// OnCommand is called with each command line that succeeded, after the
	// reply is sent (the on-interactive-command hook). It may be nil; it
	// should return promptly, as Serve waits for it when shutting down.
	OnCommand func(line string)
	// BeforeCommand vets each command line before it runs; an error refuses
	// it with that text (gh-ost's on-interactive-command hook). May be nil.
	BeforeCommand func(line string) error

	Log zerolog.Logger
}

func (o *Options) validate() error {
	if o.SocketPath == "" && o.TCPPort == 0 {
		return errors.New("control: neither a socket path nor a TCP port to listen on")
	}
	if o.TCPPort < AnyPort || o.TCPPort > 65535 {
		return errors.New("control: TCP port out of range")
	}
	if (o.ForceNamedCutOver || o.ForceNamedPanic) && o.Table == "" {
		return errors.New("control: forced named cut-over or panic needs the table name")
	}
	return nil
}
