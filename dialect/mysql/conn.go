// Package mysql holds every SQL statement hotswap runs on MySQL and MariaDB:
// introspection, shadow DDL, chunk copy, resync, locks and renames.
package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	driver "github.com/go-sql-driver/mysql"

	"github.com/hotswap/hotswap/internal/dbconn"
)

// Config says how to reach the server: the engine-neutral one, which the
// run's configuration carries for every engine.
type Config = dbconn.Config

// sessionParams are set on every connection hotswap opens: strict mode so a
// value that does not fit the new type is an error rather than silently
// changed, zero kept as a value in AUTO_INCREMENT columns, and UTC so
// TIMESTAMP values never shift.
var sessionParams = map[string]string{
	"sql_mode":     "'STRICT_ALL_TABLES,NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION'",
	"time_zone":    "'+00:00'",
	"wait_timeout": "28800",
	// every warning of an INSERT IGNORE chunk must be visible to be checked
	"max_error_count": "65535",
}

// clientParams replace sessionParams' sql_mode and time_zone in a pool
// whose statements must mean what they mean in the user's own client: the
// server's global ones, which a new session gets.
var clientParams = map[string]string{
	"sql_mode":  "@@GLOBAL.sql_mode",
	"time_zone": "@@GLOBAL.time_zone",
}

// Open returns a pool with hotswap's session settings and checks it connects.
func Open(ctx context.Context, c Config) (*sql.DB, error) {
	return open(ctx, c, nil)
}

// OpenClientMode returns a pool whose sessions have the server's global
// sql_mode and time_zone (a user's statement run in chunks, such as a
// backfill's, then means what it means in the user's client: NOW() in the
// server's zone, the server's strictness), else hotswap's settings.
func OpenClientMode(ctx context.Context, c Config) (*sql.DB, error) {
	return open(ctx, c, clientParams)
}

func open(ctx context.Context, c Config, override map[string]string) (*sql.DB, error) {
	dc := driver.NewConfig()
	dc.User, dc.Passwd, dc.Net, dc.Addr, dc.DBName = c.User, c.Password, "tcp", c.Addr(), c.Database
	dc.Params = map[string]string{}
	for k, v := range sessionParams {
		dc.Params[k] = v
	}
	for k, v := range override {
		dc.Params[k] = v
	}
	dc.Collation = "utf8mb4_general_ci"
	dc.Timeout = 10 * time.Second
	connector, err := driver.NewConnector(dc)
	if err != nil {
		return nil, fmt.Errorf("mysql config for %s: %w", c.Addr(), err)
	}
	db := sql.OpenDB(connector)
	db.SetMaxIdleConns(16)
	pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to %s as %s: %w", c.Addr(), c.User, err)
	}
	return db, nil
}
