package postgres

import (
	"context"
	"database/sql"

	dialect "github.com/hotswap/hotswap/dialect/postgres"
	"github.com/hotswap/hotswap/engine"
	"github.com/hotswap/hotswap/internal/dbconn"
)

func init() {
	engine.Register(engine.Postgres, engine.Driver{New: New, NewBackfill: NewBackfill, Ping: ping, ConnectionLost: dialect.ConnectionLost,
		OpenDatabase: openDatabase, Split: split, ParseAlterTable: dialect.ParseAlterTable, Inventory: inventory})
}

// ping opens a pool to the server and closes it: the server answers.
func ping(ctx context.Context, c dbconn.Config) error {
	db, err := dialect.Open(ctx, pgConfig(c))
	if err == nil {
		db.Close()
	}
	return err
}

// openAt opens a pool to another server (a replica the throttler watches)
// with the run's user and password.
func openAt(ctx context.Context, conn dbconn.Config, host string, port int) (*sql.DB, error) {
	conn.Host, conn.Port = host, port
	return dialect.Open(ctx, pgConfig(conn))
}

// pgConfig is the driver's form of the run's connection settings.
func pgConfig(c dbconn.Config) dialect.Config {
	return dialect.Config{Host: c.Host, Port: c.Port, User: c.User, Password: c.Password, Database: c.Database}
}
