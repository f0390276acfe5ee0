package migration

import (
	"context"
	"fmt"
	"time"

	"github.com/hotswap/hotswap/engine"
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
	return engine.Ping(ctx, cfg.kind(), cfg.Conn)
}
