package workload

import (
	"context"
	"sync"
	"time"
)

// limiter spaces transaction starts of all workers evenly to honour
// Options.Rate. A nil limiter never waits.
type limiter struct {
	mu       sync.Mutex
	interval time.Duration
	next     time.Time
}

func newLimiter(rate int) *limiter {
	if rate <= 0 {
		return nil
	}
	return &limiter{interval: time.Second / time.Duration(rate)}
}

// wait blocks until the caller's slot; false if stop or ctx ended first.
func (l *limiter) wait(ctx context.Context, stop <-chan struct{}) bool {
	if l == nil {
		return true
	}
	l.mu.Lock()
	slot := time.Now()
	if l.next.After(slot) {
		slot = l.next
	}
	l.next = slot.Add(l.interval)
	l.mu.Unlock()
	d := time.Until(slot)
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-stop:
		return false
	case <-ctx.Done():
		return false
	}
}
