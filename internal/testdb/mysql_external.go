package testdb

import (
	"fmt"
	"net"
	"strconv"

	"github.com/go-sql-driver/mysql"
)

// parseMySQLAdminDSN turns the admin DSN from HOTSWAP_TEST_MYSQL_DSN into an
// external *MySQL (no connection is made). Only TCP DSNs are accepted since
// hotswap and the binlog reader connect over TCP.
func parseMySQLAdminDSN(dsn string) (*MySQL, error) {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", mysqlDSNEnv, err)
	}
	if cfg.Net != "tcp" {
		return nil, fmt.Errorf("%s: network %q unsupported, use tcp(host:port)", mysqlDSNEnv, cfg.Net)
	}
	host, portStr, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("%s: address %q: %w", mysqlDSNEnv, cfg.Addr, err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return nil, fmt.Errorf("%s: port %q: %w", mysqlDSNEnv, portStr, err)
	}
	return &MySQL{
		Host: host, Port: port,
		User: mysqlUser, Password: mysqlPassword,
		RootUser: cfg.User, RootPassword: cfg.Passwd,
		External: true,
	}, nil
}

// externalMySQL connects to the external server and makes sure the hotswap
// user exists with the known password and exactly MySQLGrants (plus whatever
// it already had: an external server is the developer's to manage).
func externalMySQL(dsn string) (*MySQL, error) {
	s, err := parseMySQLAdminDSN(dsn)
	if err != nil {
		return nil, err
	}
	stmts := []string{
		fmt.Sprintf("CREATE USER IF NOT EXISTS '%s'@'%%' IDENTIFIED BY '%s'", s.User, s.Password),
		fmt.Sprintf("ALTER USER '%s'@'%%' IDENTIFIED BY '%s'", s.User, s.Password),
	}
	stmts = append(stmts, MySQLGrants...)
	if err := execMySQL(s.RootDSN(""), stmts...); err != nil {
		return nil, fmt.Errorf("external MySQL %s:%d: %w", s.Host, s.Port, err)
	}
	return s, nil
}
