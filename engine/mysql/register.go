package mysql

import (
	"context"
	"database/sql"

	dialect "github.com/hotswap/hotswap/dialect/mysql"
	"github.com/hotswap/hotswap/engine"
	"github.com/hotswap/hotswap/internal/dbconn"
)

func init() {
	engine.Register(engine.MySQL, engine.Driver{New: New, NewBackfill: NewBackfill, Ping: ping, ConnectionLost: dialect.ConnectionLost,
		OpenDatabase: openDatabase, Split: split, ParseAlterTable: dialect.ParseAlterTable, Inventory: inventory})
}

// ping opens a pool to the server and closes it: is the server up.
func ping(ctx context.Context, conn dbconn.Config) error {
	db, err := dialect.Open(ctx, conn)
	if err == nil {
		db.Close()
	}
	return err
}

// openAt opens a pool to another server (a replica the throttler watches)
// with the run's user and password.
func openAt(ctx context.Context, conn dbconn.Config, host string, port int) (*sql.DB, error) {
	conn.Host, conn.Port = host, port
	return dialect.Open(ctx, conn)
}
