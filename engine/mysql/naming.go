package mysql

import (
	"context"
	"time"
)

// retryNaming runs name, the naming of what a cut-over carried under
// temporary names (triggers, foreign keys), up to five times with a growing
// pause while the tables stay busy; the last error is returned.
func retryNaming(ctx context.Context, name func() error) error {
	var err error
	for attempt := 1; ; attempt++ {
		if err = name(); err == nil || attempt == 5 || ctx.Err() != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(attempt) * 200 * time.Millisecond):
		}
	}
}
