package migration

import (
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"syscall"

	"github.com/hotswap/hotswap/engine"
)

// connectionLost says whether a run failed because the server went away (a
// restart, a network cut, its sessions ended by an administrator) rather
// than because of anything in the run: such a run is resumed with --resume
// once the server is back, so on PostgreSQL its slot is kept for it.
func connectionLost(err error) bool {
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
	return errors.As(err, &op) || engine.ConnectionLost(err)
}
