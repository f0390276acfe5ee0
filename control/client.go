package control

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"
)

const (
	// sendTimeout bounds a Send whose context has no deadline.
	sendTimeout = 30 * time.Second
	// maxReply bounds what Send reads: replies are a few lines.
	maxReply = 1 << 20
)

// CommandError is a reply starting with "ERROR:": the server understood the
// request and refused it.
type CommandError struct {
	Line  string // the command sent
	Reply string // the whole reply
}

func (e *CommandError) Error() string {
	return e.Line + ": " + strings.TrimPrefix(e.Reply, "ERROR: ")
}

// Send sends one command line to the control socket at socketPath and
// returns the reply without its final newline. An ERROR reply is returned
// together with a *CommandError, so a CLI can print it and exit non-zero.
func Send(ctx context.Context, socketPath, line string) (string, error) {
	return send(ctx, "unix", socketPath, line)
}

// SendWait is Send for a command that replies once its work is done (revert):
// it waits as long as ctx allows, not sendTimeout.
func SendWait(ctx context.Context, socketPath, line string) (string, error) {
	return sendUntil(ctx, "unix", socketPath, line, time.Time{})
}

func send(ctx context.Context, network, addr, line string) (string, error) {
	return sendUntil(ctx, network, addr, line, time.Now().Add(sendTimeout))
}

// sendUntil sends line and reads the reply by deadline (zero: none) or
// ctx's own, whichever comes first.
func sendUntil(ctx context.Context, network, addr, line string, deadline time.Time) (string, error) {
	if strings.ContainsAny(line, "\r\n") {
		return "", errors.New("control: a command is one line")
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return "", fmt.Errorf("control: %w", err)
	}
	defer c.Close()
	if d, ok := ctx.Deadline(); ok && (deadline.IsZero() || d.Before(deadline)) {
		deadline = d
	}
	c.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(time.Now()) })
	defer stop()
	reply, err := exchangeLine(c, line)
	if err != nil {
		return "", fmt.Errorf("control: %s %s: %w", network, addr, errors.Join(ctxErr(ctx), err))
	}
	if strings.HasPrefix(reply, "ERROR:") {
		return reply, &CommandError{Line: line, Reply: reply}
	}
	return reply, nil
}

// exchangeLine writes the line, says it is all, and reads the reply to EOF.
func exchangeLine(c net.Conn, line string) (string, error) {
	if _, err := io.WriteString(c, line+"\n"); err != nil {
		return "", err
	}
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
	}
	b, err := io.ReadAll(io.LimitReader(c, maxReply))
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(string(b), "\n"), nil
}

// ctxErr is ctx's error, also when the connection's deadline (ctx's own)
// fired a moment before ctx noticed.
func ctxErr(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d, ok := ctx.Deadline(); ok && !time.Now().Before(d) {
		return context.DeadlineExceeded
	}
	return nil
}
