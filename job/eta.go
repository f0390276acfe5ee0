package job

import (
	"fmt"
	"sync"
	"time"

	"github.com/hotswap/hotswap/control"
)

// raisedFor is how long the reason an ETA rose stays shown.
const raisedFor = time.Minute

// ETA keeps a copy's estimate of the time left honest and readable: the raw
// estimate (rows left at the average rate so far) may only lower the ETA
// shown, which otherwise counts down; it rises only when even the best
// average rate seen could no longer finish in the time shown, and then with
// the reason the copy is slower (shown for a minute); it never shows less
// than the rows left need at that best rate, so it does not reach zero while
// rows remain. Once the copy passes the server's row estimate nothing is
// known of what is left: the ETA is unknown (-1), and says so.
type ETA struct {
	mu       sync.Mutex
	shown    float64 // seconds; < 0: none yet
	at       time.Time
	bestRate float64 // rows per second
	why      string  // why it last rose
	rose     time.Time
}

// NewETA is an ETA with nothing shown yet.
func NewETA() *ETA { return &ETA{shown: -1} }

// PastEstimate is the reason of an unknown ETA once more rows were copied
// than the server estimated.
const PastEstimate = "more rows copied than the server estimated: the time left is unknown"

// Next is the ETA to show at now (-1: unknown) for rows left at the copy's
// current average rate (rows per second), and the reason it rose if it did
// lately. slower says why the copy is slower now (throttled, busy chunks);
// it is read only when the ETA has to rise.
func (c *ETA) Next(now time.Time, left, rate float64, slower func() string) (float64, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if left <= 0 {
		return -1, PastEstimate
	}
	if rate <= 0 {
		return c.shown, c.reason(now)
	}
	c.bestRate = max(c.bestRate, rate)
	raw, floor := left/rate, left/c.bestRate
	eta := raw
	if c.shown >= 0 {
		countdown := c.shown - now.Sub(c.at).Seconds()
		eta = min(raw, countdown)
		if floor > max(countdown, 0)+1 { // even the best rate cannot make it: it rises, by a second or more
			c.why, c.rose = slower(), now
		}
	}
	c.shown, c.at = max(eta, floor), now
	return c.shown, c.reason(now)
}

func (c *ETA) reason(now time.Time) string {
	if c.why == "" || now.Sub(c.rose) > raisedFor {
		return ""
	}
	return "rose: " + c.why
}

// SlowerBecause says why a copy in state st is slower than it was: what an
// ETA that rises shows.
func SlowerBecause(st control.Status) string {
	chunks := fmt.Sprintf("chunks of %d rows take %d ms, %.0f rows/s on average", st.ChunkSize, st.ChunkMS, st.RowsPerSecond)
	switch {
	case st.Throttled:
		return "throttled: " + st.ThrottleReason
	case st.BusyChunks > 0:
		return fmt.Sprintf("busy chunks: %d waited on rows the application held locked; %s", st.BusyChunks, chunks)
	}
	return "the copy slowed: " + chunks
}
