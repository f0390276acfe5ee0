package control

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"
)

const (
	// maxLine is the longest command line accepted (a throttle-query can be
	// long, but not this long).
	maxLine = 64 << 10
	// drainTimeout and maxDrain bound the wait for the client to close.
	drainTimeout = time.Second
	maxDrain     = 1 << 20
)

var (
	errNoCommand = errors.New("connection closed without a command")
	errTooLong   = fmt.Errorf("command longer than %d bytes", maxLine)
)

// handle serves one connection: one line in, one reply out, closed. The
// OnCommand hook runs after the connection is closed, so a slow hook does
// not keep the DBA's client waiting.
func (s *Server) handle(c net.Conn) {
	defer func() {
		if p := recover(); p != nil {
			s.log.Error().Interface("panic", p).Msg("control: connection handler panicked")
		}
	}()
	line, ok := s.exchange(c)
	if ok && s.opts.OnCommand != nil {
		s.opts.OnCommand(line)
	}
}

// exchange reads the command, runs it and writes the reply. ok is whether
// the command succeeded.
func (s *Server) exchange(c net.Conn) (line string, ok bool) {
	defer closeGently(c)
	c.SetDeadline(time.Now().Add(s.readTimeout))
	line, err := readLine(c)
	var reply string
	switch {
	case errors.Is(err, errNoCommand):
		return "", false // a liveness probe, like clearStale's
	case errors.Is(err, os.ErrDeadlineExceeded):
		reply = fmt.Sprintf("ERROR: no command within %s", s.readTimeout)
	case err != nil:
		reply = "ERROR: " + err.Error()
	default:
		reply, ok = s.vetAndRun(line)
	}
	s.logCommand(c, line, reply, ok)
	c.SetWriteDeadline(time.Now().Add(s.readTimeout))
	if _, err := io.WriteString(c, reply+"\n"); err != nil {
		s.log.Debug().Err(err).Msg("control: reply not delivered")
	}
	return line, ok
}

// readLine reads the command up to its newline, or to EOF for a client that
// sends none (printf status | nc -U sock). The line is trimmed.
func readLine(r io.Reader) (string, error) {
	b, err := bufio.NewReaderSize(r, maxLine+1).ReadSlice('\n')
	switch {
	case errors.Is(err, bufio.ErrBufferFull):
		return "", errTooLong
	case err == io.EOF && len(b) == 0:
		return "", errNoCommand
	case err != nil && err != io.EOF:
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
}

// closeGently ends the reply and lets the client read it. Closing a socket
// with unread input resets the connection on Linux (TCP and unix alike),
// which can destroy the reply before the client reads it: after a too-long
// line, say. So the input is drained, briefly, before the close.
func closeGently(c net.Conn) {
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
	}
	c.SetReadDeadline(time.Now().Add(drainTimeout))
	io.Copy(io.Discard, io.LimitReader(c, maxDrain))
	c.Close()
}

// logCommand logs what changed the migration at info and the reads a
// status poller repeats every second at debug.
func (s *Server) logCommand(c net.Conn, line, reply string, ok bool) {
	ev := s.log.Debug()
	if !ok {
		ev = s.log.Warn()
	} else if !isRead(line) {
		ev = s.log.Info()
	}
	if len(line) > 200 {
		line = line[:200] + "..."
	}
	if !ok {
		ev = ev.Str("reply", reply)
	}
	ev.Str("from", peer(c)).Str("command", line).Bool("ok", ok).Msg("control command")
}

// peer names the client: "unix" (its address is anonymous) or 127.0.0.1:port.
func peer(c net.Conn) string {
	a := c.RemoteAddr()
	if a == nil || a.String() == "" {
		return "unix"
	}
	return a.String()
}

// vetAndRun asks BeforeCommand (the on-interactive-command hook) first: its
// error refuses the command, which then changes nothing.
func (s *Server) vetAndRun(line string) (string, bool) {
	if s.opts.BeforeCommand != nil {
		if err := s.opts.BeforeCommand(line); err != nil {
			return "ERROR: refused: " + err.Error(), false
		}
	}
	return s.run(line)
}
