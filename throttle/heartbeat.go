package throttle

import (
	"sort"
	"sync"
	"time"
)

// maxBeats caps the in-memory heartbeat list (about 1h50 at 100 ms). A replica
// further behind still shows a lag of at least that long.
const maxBeats = 1 << 16

type beat struct {
	seq int64
	at  time.Time // local (monotonic) time the write was sent
}

// beats is the heartbeat writer's memory: which sequence number was written
// when. Lag is measured with hotswap's own clock only: a replica showing seq
// S lags by now minus the time the first number after S was written.
type beats struct {
	mu      sync.Mutex
	active  bool      // the table exists and heartbeats are being written
	created time.Time // when the table was (re)created
	next    int64
	list    []beat // ascending seq
}

func newBeats(now time.Time) *beats {
	// Numbers start at the clock so a leftover table of an earlier run never
	// shows a number this run has not written yet.
	return &beats{next: now.UnixNano()}
}

// startTable records that the heartbeat table is being (re)created at now.
func (b *beats) startTable(now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.active, b.created, b.list = true, now, nil
}

// add allocates the next sequence number, written at now. It is recorded
// before the write is sent: a write whose outcome is unknown may have landed.
func (b *beats) add(now time.Time) int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.next++
	b.list = append(b.list, beat{seq: b.next, at: now})
	if len(b.list) > maxBeats { // drop the oldest quarter at once, not one per write
		b.list = append(b.list[:0], b.list[len(b.list)-maxBeats*3/4:]...)
	}
	return b.next
}

// pause forgets the list while no control replica is configured.
func (b *beats) pause() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.list = nil
}

// prune drops entries a replica no longer needs: every replica has shown at least upTo.
func (b *beats) prune(upTo int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	i := 0
	for i < len(b.list) && b.list[i].seq <= upTo {
		i++
	}
	if i > 0 {
		b.list = append(b.list[:0], b.list[i:]...)
	}
}

// lag is how far behind a replica showing seq (found=false: no table or row
// yet) is at now. ok is false while no heartbeat has been written.
func (b *beats) lag(now time.Time, seq int64, found bool) (lag time.Duration, ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.active {
		return 0, false
	}
	if !found {
		return now.Sub(b.created), true
	}
	if seq > b.next {
		// not a number of this run: treat as not replicated yet
		return now.Sub(b.created), true
	}
	// the first number the replica has not applied
	i := sort.Search(len(b.list), func(i int) bool { return b.list[i].seq > seq })
	if i == len(b.list) {
		return 0, true // it has the latest
	}
	return max(0, now.Sub(b.list[i].at)), true
}

func (b *beats) len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.list)
}
