package control

import (
	"context"
	"errors"
	"net"
	"time"
)

// accept hands each connection to a handler until the listener is closed.
// Other accept errors (out of file descriptors, an aborted connection) pass,
// so it backs off and goes on: a control server that gave up would leave the
// DBA without a way to throttle or abort.
func (s *Server) accept(ctx context.Context, l net.Listener) {
	var delay time.Duration
	for {
		c, err := l.Accept()
		if err == nil {
			delay = 0
			s.start(c)
			continue
		}
		if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
			return
		}
		delay = min(max(2*delay, 5*time.Millisecond), time.Second)
		s.log.Warn().Err(err).Dur("retry_in", delay).Msg("control: accept failed")
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
	}
}

// start runs a handler for c, or turns c away when the server is closing or
// full. Registration and the closed flag share a lock, so drain never misses
// a handler.
func (s *Server) start(c net.Conn) {
	s.mu.Lock()
	if s.closed || len(s.conns) >= maxConns {
		full := !s.closed
		s.mu.Unlock()
		if full {
			c.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
			c.Write([]byte("ERROR: too many control connections; try again\n"))
			s.log.Warn().Msg("control: connection refused, too many in flight")
		}
		c.Close()
		return
	}
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		defer s.forget(c)
		s.handle(c)
	}()
}

func (s *Server) forget(c net.Conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
}

// drain waits for the handlers in flight; after the grace period it closes
// their connections, which ends any read or write they are blocked in.
func (s *Server) drain() {
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return
	case <-time.After(s.shutdownGrace):
	}
	s.mu.Lock()
	n := len(s.conns)
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.log.Warn().Int("connections", n).Msg("control: closed connections still open at shutdown")
	<-done
}
