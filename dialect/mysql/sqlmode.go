package mysql

import (
	"context"
	"database/sql"
	"fmt"
)

// ServerModeConn opens a connection for DDL that must mean what the user's
// own ALTER would: its sql_mode and time_zone are the server's global ones
// (the session a client gets by default), not hotswap's, so the shadow may be
// only what the server would let the table become (e.g. NO_ZERO_DATE refuses
// a zero default), and a TIMESTAMP default is read in the server's time zone.
// The copy and resync keep hotswap's session settings, which exact values
// need. Close it with Discard: its settings are not the pool's.
func ServerModeConn(ctx context.Context, db *sql.DB) (*sql.Conn, error) {
	c, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("open DDL connection: %w", err)
	}
	if _, err := c.ExecContext(ctx, "SET SESSION sql_mode = @@GLOBAL.sql_mode, time_zone = @@GLOBAL.time_zone"); err != nil {
		Discard(c)
		return nil, fmt.Errorf("take the server's global sql_mode and time_zone for the shadow's DDL: %w", err)
	}
	return c, nil
}
