package postgres

import (
	"slices"
	"testing"
)

// TestXidTrackerForgetsOnlyWhatWasSeen: pending is every xid not yet seen
// visible, as a copy; forgetting them keeps an xid added meanwhile, which
// the next resync must still wait for.
func TestXidTrackerForgetsOnlyWhatWasSeen(t *testing.T) {
	var x xidTracker
	x.add(7)
	x.add(9)
	seen := x.pending()
	x.add(11) // reported while the resync waited for 7 and 9
	seen[0] = 1000
	if got := x.pending(); !slices.Equal(got, []uint32{7, 9, 11}) {
		t.Fatalf("pending = %v: changing the returned slice must not change the tracker", got)
	}
	x.forget([]uint32{7, 9})
	if got := x.pending(); !slices.Equal(got, []uint32{11}) {
		t.Fatalf("after forgetting 7 and 9: %v, want [11]", got)
	}
	x.forget(nil)
	if got := x.pending(); !slices.Equal(got, []uint32{11}) {
		t.Fatalf("forgetting nothing changed the tracker: %v", got)
	}
}
