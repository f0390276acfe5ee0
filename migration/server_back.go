package migration

import (
	"context"
	"fmt"
	"time"

	"github.com/hotswap/hotswap/dialect/mysql"
	"github.com/hotswap/hotswap/dialect/postgres"
)

// ServerWentAway says whether a run failed because its server went away
// (restart, network cut, sessions ended): a --resume continues it once the
// server is back.
func ServerWentAway(err error) bool { return err != nil && !IsRefused(err) && connectionLost(err) }

// WaitForServer waits, up to limit, until the server answers again.
func WaitForServer(ctx context.Context, cfg Config, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	for {
		err := ping(ctx, cfg)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the server did not answer within %s: %w", limit, err)
		case <-time.After(time.Second):
		}
	}
}

func ping(ctx context.Context, cfg Config) error {
	c := cfg.Conn
	if cfg.Engine == EnginePostgres {
		db, err := postgres.Open(ctx, postgres.Config{Host: c.Host, Port: c.Port, User: c.User, Password: c.Password, Database: c.Database})
		if err == nil {
			db.Close()
		}
		return err
	}
	db, err := mysql.Open(ctx, c)
	if err == nil {
		db.Close()
	}
	return err
}
