package migration

import (
	"testing"
	"time"
)

// TestETAClampCountsDownThroughASlowSpell: a rate that sags for a while (a
// busy chunk, a competing checksum) does not push the ETA up while the best
// rate seen could still finish in time; the ETA counts down meanwhile and
// never reaches zero while rows remain.
func TestETAClampCountsDownThroughASlowSpell(t *testing.T) {
	c := newETAClamp()
	t0 := time.Unix(0, 0)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	if got := c.next(at(0), 1000, 100); got != 10 {
		t.Fatalf("first ETA %v, want 10 (1000 rows at 100/s)", got)
	}
	// the average rate sags to 80/s: raw 600/80 = 7.5 s, but 10 - 2 = 8 s was promised; 7.5 is lower
	if got := c.next(at(2), 600, 80); got != 7.5 {
		t.Fatalf("ETA %v after a sag, want 7.5", got)
	}
	// sags to 50/s: raw 500/50 = 10 s > 7.5 - 1 = 6.5 s shown, and 500/100 = 5 s at the best rate fits: stays 6.5
	if got := c.next(at(3), 500, 50); got != 6.5 {
		t.Fatalf("ETA %v during a slow spell, want 6.5 (counting down, not growing)", got)
	}
	// much later, still 400 rows left: the best rate needs 4 s, more than the 0.5 s left of the countdown
	if got := c.next(at(9), 400, 40); got != 4 {
		t.Fatalf("ETA %v with rows left past the countdown, want 4 (never zero while rows remain)", got)
	}
}

// TestETAClampWithoutARate: before any row is copied there is no ETA.
func TestETAClampWithoutARate(t *testing.T) {
	if got := newETAClamp().next(time.Now(), 1000, 0); got != -1 {
		t.Fatalf("ETA without a rate %v, want -1 (unknown)", got)
	}
}
