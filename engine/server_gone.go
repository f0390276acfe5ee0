package engine

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"time"

	"github.com/hotswap/hotswap/internal/dbconn"
	"github.com/hotswap/hotswap/job"
)

// ConnectionLost says whether err means the server went away (a restart, a
// network cut, its sessions ended by an administrator) rather than anything
// in the run: such a run is resumed with --resume once the server is back,
// so on PostgreSQL its slot is kept for it.
func ConnectionLost(err error) bool {
	if err == nil {
		return false
	}
	for _, target := range []error{driver.ErrBadConn, io.EOF, io.ErrUnexpectedEOF,
		net.ErrClosed, syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.EPIPE} {
		if errors.Is(err, target) {
			return true
		}
	}
	var op *net.OpError
	return errors.As(err, &op) || driverSaysLost(err)
}

// ServerWentAway says whether a run failed because its server went away (a
// refusal never counts): a --resume continues it once the server is back.
func ServerWentAway(err error) bool { return err != nil && !job.IsRefused(err) && ConnectionLost(err) }

// WaitForServer waits, up to limit, until kind's server at conn answers again.
func WaitForServer(ctx context.Context, kind string, conn dbconn.Config, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	for {
		err := Ping(ctx, kind, conn)
		if err == nil || job.IsRefused(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the server did not answer within %s: %w", limit, err)
		case <-time.After(time.Second):
		}
	}
}
