package job

import (
	"testing"
	"time"
)

func at(s float64) time.Time { return time.Unix(0, 0).Add(time.Duration(s * float64(time.Second))) }

func never() string { panic("the ETA asked why it rose, but it did not rise") }

// TestETACountsDownThroughASlowSpell: a rate that sags for a while (a busy
// chunk, a competing checksum) does not push the ETA up while the best rate
// seen could still finish in time; the ETA counts down meanwhile and never
// reaches zero while rows remain: then it rises, saying why.
func TestETACountsDownThroughASlowSpell(t *testing.T) {
	c := NewETA()
	if got, why := c.Next(at(0), 1000, 100, never); got != 10 || why != "" {
		t.Fatalf("first ETA %v %q, want 10 (1000 rows at 100/s) without a reason", got, why)
	}
	// the average rate sags to 80/s: raw 600/80 = 7.5 s, but 10 - 2 = 8 s was promised; 7.5 is lower
	if got, _ := c.Next(at(2), 600, 80, never); got != 7.5 {
		t.Fatalf("ETA %v after a sag, want 7.5", got)
	}
	// sags to 50/s: raw 500/50 = 10 s > 7.5 - 1 = 6.5 s shown, and 500/100 = 5 s at the best rate fits: stays 6.5
	if got, _ := c.Next(at(3), 500, 50, never); got != 6.5 {
		t.Fatalf("ETA %v during a slow spell, want 6.5 (counting down, not growing)", got)
	}
	// much later, still 400 rows left: the best rate needs 4 s, more than the 0.5 s left of the countdown
	got, why := c.Next(at(9), 400, 40, func() string { return "throttled: replica lag 3s" })
	if got != 4 || why != "rose: throttled: replica lag 3s" {
		t.Fatalf("ETA %v %q with rows left past the countdown, want 4 (never zero while rows remain), saying why it rose", got, why)
	}
	if _, why := c.Next(at(10), 390, 40, never); why == "" {
		t.Error("the reason the ETA rose was gone a second later")
	}
	if _, why := c.Next(at(9+61), 10, 100, never); why != "" {
		t.Errorf("the reason %q is still shown a minute after the ETA rose", why)
	}
}

// TestETAWithoutARate: before any row is copied there is no ETA.
func TestETAWithoutARate(t *testing.T) {
	if got, _ := NewETA().Next(time.Now(), 1000, 0, never); got != -1 {
		t.Fatalf("ETA without a rate %v, want -1 (unknown)", got)
	}
}

// TestETAPastTheEstimate: a copy past the server's row estimate does not
// show 0 (done) while it goes on: the ETA is unknown, and says so.
func TestETAPastTheEstimate(t *testing.T) {
	c := NewETA()
	c.Next(at(0), 100, 10, never)
	if got, why := c.Next(at(5), 0, 10, never); got != -1 || why != PastEstimate {
		t.Fatalf("ETA %v %q with the estimate passed, want -1 and why", got, why)
	}
}
