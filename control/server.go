package control

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
)

const (
	// readTimeout bounds the wait for a command line and for the reply's
	// write, so an idle client cannot hold a goroutine.
	readTimeout = 5 * time.Second
	// shutdownGrace is how long Serve lets connections in flight finish
	// before it closes them.
	shutdownGrace = 3 * time.Second
	// maxConns caps connections in flight: the TCP port is open to every
	// local user, and each connection costs a goroutine and a 64 KB buffer.
	maxConns = 64
)

// Server is the control server of one migration.
type Server struct {
	opts   Options
	target Target
	log    zerolog.Logger

	unix     *net.UnixListener
	unixFile os.FileInfo // the socket file bound, for removeSocket
	tcp      net.Listener

	readTimeout, shutdownGrace time.Duration // tests shorten them

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup // connection handlers

	serving   atomic.Bool
	done      chan struct{} // closed by Close
	closeOnce sync.Once
	closeErr  error
}

// Listen binds the socket and the TCP port now, so that a bad path or a busy
// port is reported before the migration changes anything. Serve accepts;
// call Close instead if Serve will not run.
func Listen(opts Options, target Target) (*Server, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	if target == nil {
		return nil, errors.New("control: no target")
	}
	s := &Server{
		opts: opts, target: target,
		log:         opts.Log.With().Str("component", "control").Logger(),
		readTimeout: readTimeout, shutdownGrace: shutdownGrace,
		conns: map[net.Conn]struct{}{}, done: make(chan struct{}),
	}
	if opts.SocketPath != "" {
		l, fi, err := listenSocket(opts.SocketPath)
		if err != nil {
			return nil, err
		}
		s.unix, s.unixFile = l, fi
	}
	if opts.TCPPort != 0 {
		l, err := listenTCP(opts.TCPPort)
		if err != nil {
			s.Close()
			return nil, err
		}
		s.tcp = l
	}
	s.log.Info().Str("socket", opts.SocketPath).Str("tcp", s.TCPAddr()).Msg("control server listening")
	return s, nil
}

func listenTCP(port int) (net.Listener, error) {
	if port == AnyPort {
		port = 0
	}
	// Loopback only: the protocol has no authentication.
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("control: TCP port %d: %w", port, err)
	}
	return l, nil
}

// TCPAddr is the bound TCP address (host:port), "" without a TCP listener.
func (s *Server) TCPAddr() string {
	if s.tcp == nil {
		return ""
	}
	return s.tcp.Addr().String()
}

// SocketPath is the unix socket's path, "" without one.
func (s *Server) SocketPath() string { return s.opts.SocketPath }

// Serve accepts commands until ctx ends or Close is called. Then it closes
// the listeners, removes the socket file, and waits for the connections in
// flight, closing those still open after a grace period: no goroutine it
// started outlives it. The error is from the cleanup.
func (s *Server) Serve(ctx context.Context) error {
	if !s.serving.CompareAndSwap(false, true) {
		return errors.New("control: Serve called twice")
	}
	ctx, cancel := context.WithCancel(ctx)
	var accepting sync.WaitGroup
	for _, l := range s.listeners() {
		accepting.Go(func() { s.accept(ctx, l) })
	}
	select {
	case <-ctx.Done():
	case <-s.done:
	}
	cancel()
	err := s.Close()
	accepting.Wait()
	s.drain()
	s.log.Debug().Msg("control server stopped")
	return err
}

func (s *Server) listeners() []net.Listener {
	var ls []net.Listener
	if s.unix != nil {
		ls = append(ls, s.unix)
	}
	if s.tcp != nil {
		ls = append(ls, s.tcp)
	}
	return ls
}

// Close stops listening and removes the socket file; it is safe to call more
// than once. It does not wait for connections in flight: Serve does.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		close(s.done)
		var errs []error
		if s.unix != nil {
			// Remove first: a client arriving now gets "no such file", which
			// says the migration is gone more plainly than a refusal.
			errs = append(errs, removeSocket(s.opts.SocketPath, s.unixFile), s.unix.Close())
		}
		if s.tcp != nil {
			errs = append(errs, s.tcp.Close())
		}
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}
