package migration

import (
	"sync"
	"time"
)

// etaClamp keeps the copy's ETA from jumping up and down with the rate: the
// raw estimate (rows left at the average rate so far) may only lower the ETA
// shown, which otherwise counts down; it rises only when even the best
// average rate seen could no longer finish in the time shown, and it never
// shows less than the rows left need at that best rate, so it does not reach
// zero while rows remain.
type etaClamp struct {
	mu       sync.Mutex
	shown    float64 // seconds; < 0: none yet
	at       time.Time
	bestRate float64 // rows per second
}

func newETAClamp() *etaClamp { return &etaClamp{shown: -1} }

// next is the ETA to show at now for rows left at the current average rate.
func (c *etaClamp) next(now time.Time, left, rate float64) float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if rate <= 0 {
		return c.shown
	}
	c.bestRate = max(c.bestRate, rate)
	raw, floor := left/rate, left/c.bestRate
	eta := raw
	if c.shown >= 0 {
		eta = min(raw, c.shown-now.Sub(c.at).Seconds())
	}
	c.shown, c.at = max(eta, floor), now
	return c.shown
}
