package postgres

import (
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// ConnectionLost says whether err is PostgreSQL's way of saying the server
// went away: a connection that could not be made, a connection exception
// (class 08), the session ended by a shutdown or an administrator (57P01-03),
// or a replication slot still held by the walsender of a dead session (55006).
func ConnectionLost(err error) bool {
	var connect *pgconn.ConnectError
	if errors.As(err, &connect) {
		return true
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return false
	}
	switch pe.Code {
	case "57P01", "57P02", "57P03", "55006":
		return true
	}
	return strings.HasPrefix(pe.Code, "08")
}
