package postgres

import (
	"context"
	"sync"
)

// rowsInflight tracks the copy chunks running now, so a resync can wait for
// the ones that started before it.
//
// Why: a chunk reads the source in a snapshot taken when its INSERT starts
// and commits later. If a transaction deletes row X after that snapshot, the
// resync for X may run while the chunk's insert of the old X is still
// uncommitted: PostgreSQL's DELETE skips rows inserted by a transaction in
// progress (no wait), the chunk then commits, and the deleted row is back in
// the shadow for good. (MySQL's copy takes share locks instead; here they
// would rewrite every source page.) A chunk that starts after the change is
// visible reads the new state and needs no wait; if it races the resync's
// insert, one of them waits for the other on the shadow's key index.
type rowsInflight struct {
	mu      sync.Mutex
	next    uint64
	running map[uint64]chan struct{}
}

// start registers a chunk before it takes its snapshot; done unregisters it
// after its commit or rollback.
func (f *rowsInflight) start() (done func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.running == nil {
		f.running = map[uint64]chan struct{}{}
	}
	id, ch := f.next, make(chan struct{})
	f.next++
	f.running[id] = ch
	return func() {
		f.mu.Lock()
		delete(f.running, id)
		f.mu.Unlock()
		close(ch)
	}
}

// waitOlder returns once every chunk running at the call has ended. It does
// not hold back chunks that start meanwhile.
func (f *rowsInflight) waitOlder(ctx context.Context) error {
	f.mu.Lock()
	chans := make([]chan struct{}, 0, len(f.running))
	for _, ch := range f.running {
		chans = append(chans, ch)
	}
	f.mu.Unlock()
	for _, ch := range chans {
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}
