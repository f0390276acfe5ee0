package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// Config says how to reach the server. Password never appears in errors or
// logs; settings it leaves out (sslmode, a password in ~/.pgpass) come from
// the usual PG* environment variables, as for psql.
type Config struct {
	Host     string
	Port     int
	User     string
	Password string
	Database string
}

// Addr is host:port.
func (c Config) Addr() string { return net.JoinHostPort(c.Host, strconv.Itoa(c.Port)) }

// ConnString is a postgres:// URL with the password, for the replication
// connection (pgconn.Connect). It always carries a query string
// (application_name=hotswap), so add parameters such as replication=database
// with "&". Never log it.
func (c Config) ConnString() string { return c.url(true) }

func (c Config) url(withPassword bool) string {
	u := url.URL{Scheme: "postgres", Host: c.Addr(), Path: "/" + c.Database, RawQuery: "application_name=hotswap"}
	switch {
	case withPassword && c.Password != "":
		u.User = url.UserPassword(c.User, c.Password)
	case c.User != "":
		u.User = url.User(c.User)
	}
	return u.String()
}

// sessionParams are set on every connection of the pool: the name shows the
// sessions in pg_stat_activity. TimeZone (and every other setting that turns
// values into other types: DateStyle, IntervalStyle, extra_float_digits,
// bytea_output) is left as a new session of the role in that database gets
// it, the session the user's own ALTER would run in: a column turned from
// timestamp into timestamptz, date or text converts in that zone, in the
// shadow's DDL, the copy, the resync and the checksum alike. Nothing of
// hotswap's own reads a timestamptz as text without its offset.
var sessionParams = map[string]string{
	"application_name": "hotswap",
}

// Open returns a pgx stdlib pool with hotswap's session settings and checks
// it connects. The URL it parses has no password: the password is set on the
// parsed config, so no parse error can show it.
func Open(ctx context.Context, c Config) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(c.url(false))
	if err != nil {
		return nil, fmt.Errorf("connection settings for %s as %s: %w", c.Addr(), c.User, err)
	}
	if c.Password != "" {
		cfg.Password = c.Password
	}
	for k, v := range sessionParams {
		cfg.RuntimeParams[k] = v
	}
	cfg.ConnectTimeout = 10 * time.Second
	db := stdlib.OpenDB(*cfg)
	db.SetMaxIdleConns(16)
	pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("connect to %s as %s: %w", c.Addr(), c.User, err)
	}
	return db, nil
}
