// Package dbconn says how to reach a database server, the same for every
// engine: the run's configuration carries it, and each dialect turns it
// into its own driver's settings.
package dbconn

import (
	"net"
	"strconv"
)

// Config says how to reach the server. Password never appears in logs.
type Config struct {
	Host     string
	Port     int
	User     string
	Password string
	Database string
}

// Addr is host:port.
func (c Config) Addr() string { return net.JoinHostPort(c.Host, strconv.Itoa(c.Port)) }
