package throttle

import (
	"testing"
	"time"
)

// Lag is now minus the write time of the first sequence number the replica
// has not applied; only the local clock is used.
func TestBeatsLag(t *testing.T) {
	t0 := time.Now()
	b := newBeats(t0)
	if _, ok := b.lag(t0, 0, false); ok {
		t.Fatal("lag known before any heartbeat")
	}
	b.startTable(t0)
	s1 := b.add(t0.Add(100 * time.Millisecond))
	s2 := b.add(t0.Add(200 * time.Millisecond))
	s3 := b.add(t0.Add(300 * time.Millisecond))
	now := t0.Add(time.Second)
	for _, c := range []struct {
		seq   int64
		found bool
		want  time.Duration
	}{
		{0, false, time.Second},                // table not replicated yet: since it was created
		{s1 - 5, true, 900 * time.Millisecond}, // a leftover's number: since the first write
		{s1, true, 800 * time.Millisecond},     // s2 not applied
		{s2, true, 700 * time.Millisecond},     // s3 not applied
		{s3, true, 0},                          // has the latest
		{s3 + 1000, true, time.Second},         // not a number of this run
	} {
		got, ok := b.lag(now, c.seq, c.found)
		if !ok || got != c.want {
			t.Errorf("lag(seq %d, found %v) = %s %v, want %s", c.seq, c.found, got, ok, c.want)
		}
	}
	b.prune(s2)
	if b.len() != 1 {
		t.Fatalf("%d entries after pruning up to s2, want 1", b.len())
	}
	if got, _ := b.lag(now, s2, true); got != 700*time.Millisecond {
		t.Fatalf("lag after pruning = %s", got)
	}
	for range maxBeats + 10 {
		b.add(now)
	}
	if n := b.len(); n > maxBeats || n < maxBeats*3/4 {
		t.Fatalf("%d entries, want at most the cap %d", n, maxBeats)
	}
}
