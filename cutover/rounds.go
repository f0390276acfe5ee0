package cutover

import (
	"context"
	"fmt"
	"time"
)

// lockInRounds takes the locks of n tables within budget, in rounds (see
// MySQLSet.lockAll): round(first, wait) locks table first waiting at most
// wait, the others without waiting, and names the one it found busy ("":
// all locked); release lets a round's locks go. Each round waits on the next
// table, after a pause that grows from 5 to 50 ms.
func lockInRounds(ctx context.Context, budget time.Duration, n int, round func(first int, wait time.Duration) (busy string, err error), release func() error) error {
	start := time.Now()
	pause := 5 * time.Millisecond
	for r := 0; ; r++ {
		busy, err := round(r%n, budget-time.Since(start))
		if err != nil || busy == "" {
			return err
		}
		if err := release(); err != nil {
			return err
		}
		if time.Since(start)+pause >= budget {
			return fmt.Errorf("lock the tables for the cut-over: %s was in use whenever the others were locked (%d rounds in %s)", busy, r+1, budget)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pause):
		}
		pause = min(2*pause, 50*time.Millisecond)
	}
}
