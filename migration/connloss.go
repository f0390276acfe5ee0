package migration

import (
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	mysqldriver "github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
)

// connectionLost says whether a run failed because the server went away (a
// restart, a network cut, its sessions ended by an administrator) rather
// than because of anything in the run: such a run is resumed with --resume
// once the server is back, so on PostgreSQL its slot is kept for it.
func connectionLost(err error) bool {
	if err == nil {
		return false
	}
	for _, target := range []error{driver.ErrBadConn, mysqldriver.ErrInvalidConn, io.EOF, io.ErrUnexpectedEOF,
		net.ErrClosed, syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.EPIPE} {
		if errors.Is(err, target) {
			return true
		}
	}
	var op *net.OpError
	var connect *pgconn.ConnectError
	if errors.As(err, &op) || errors.As(err, &connect) {
		return true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return strings.HasPrefix(pe.Code, "08") || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03"
	}
	var me *mysqldriver.MySQLError
	if errors.As(err, &me) {
		return me.Number == 1053 || me.Number == 1927 // server shutdown in progress; connection killed
	}
	return false
}
