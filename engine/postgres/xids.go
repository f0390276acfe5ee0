package postgres

import (
	"slices"
	"sync"
)

// xidTracker collects the ids of the transactions the stream reported since
// the last resync, which must be visible before it reads the source.
type xidTracker struct {
	mu  sync.Mutex
	ids []uint32
}

func (x *xidTracker) add(xid uint32) {
	x.mu.Lock()
	x.ids = append(x.ids, xid)
	x.mu.Unlock()
}

// pending is every xid not yet seen visible. Concurrent resyncs each wait
// for all of them: one that took them away would let the others read early.
func (x *xidTracker) pending() []uint32 {
	x.mu.Lock()
	defer x.mu.Unlock()
	return slices.Clone(x.ids)
}

// forget drops the xids seen visible.
func (x *xidTracker) forget(seen []uint32) {
	if len(seen) == 0 {
		return
	}
	visible := make(map[uint32]bool, len(seen))
	for _, id := range seen {
		visible[id] = true
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	x.ids = slices.DeleteFunc(x.ids, func(id uint32) bool { return visible[id] })
}
