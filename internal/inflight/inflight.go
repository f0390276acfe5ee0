// Package inflight tracks the copy chunks running now, so that a resync can
// wait for the chunks that took their snapshot before the change it applies
// was visible.
//
// Why: a chunk reads the source in a snapshot taken when its statement starts
// and writes the shadow later, without locking the source rows (a locking
// read would hold writers back and, under load, fail and be retried whole).
// If a transaction deletes row X after that snapshot, a resync of X that runs
// before the chunk reaches X finds nothing to delete, the chunk then inserts
// the old X, and the deleted row is back in the shadow for good. So a resync
// first makes sure the change is visible, then waits for every chunk running
// at that moment: a chunk that starts later reads the new state, and if it
// races the resync's insert, one waits for the other on the shadow's key.
package inflight

import (
	"context"
	"sync"
)

// Tracker is the set of chunks running now. The zero value is ready.
type Tracker struct {
	mu      sync.Mutex
	next    uint64
	running map[uint64]chan struct{}
}

// Start registers a chunk; call it before the chunk takes its snapshot, and
// the returned done after its commit or rollback.
func (t *Tracker) Start() (done func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.running == nil {
		t.running = map[uint64]chan struct{}{}
	}
	id, ch := t.next, make(chan struct{})
	t.next++
	t.running[id] = ch
	var once sync.Once
	return func() {
		once.Do(func() {
			t.mu.Lock()
			delete(t.running, id)
			t.mu.Unlock()
			close(ch)
		})
	}
}

// WaitOlder returns once every chunk running at the call has ended, or ctx
// is done. Chunks that start meanwhile do not hold it back.
func (t *Tracker) WaitOlder(ctx context.Context) error {
	t.mu.Lock()
	chans := make([]chan struct{}, 0, len(t.running))
	for _, ch := range t.running {
		chans = append(chans, ch)
	}
	t.mu.Unlock()
	for _, ch := range chans {
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}
