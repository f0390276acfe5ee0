// Package applier turns the stream's changed keys into writes on the shadow
// table: it keeps the set of dirty keys (a key changed a thousand times is
// resynced once), and flushes it in batches by re-reading the source rows.
package applier

import (
	"github.com/hotswap/hotswap/binlog"
)

// keySet is an insertion-ordered set of keys, deduplicated by value.
type keySet struct {
	byID  map[string][]any
	order []string
}

func newKeySet() *keySet { return &keySet{byID: map[string][]any{}} }

func (s *keySet) add(key []any) { s.addID(binlog.KeyString(key), key) }

// addID adds key under id, its binlog.KeyString (the caller has it already).
func (s *keySet) addID(id string, key []any) {
	if _, ok := s.byID[id]; ok {
		return
	}
	s.byID[id] = key
	s.order = append(s.order, id)
}

func (s *keySet) len() int { return len(s.byID) }

// take removes and returns up to n keys, oldest first.
func (s *keySet) take(n int) [][]any {
	var out [][]any
	i := 0
	for ; i < len(s.order) && len(out) < n; i++ {
		id := s.order[i]
		if k, ok := s.byID[id]; ok {
			out = append(out, k)
			delete(s.byID, id)
		}
	}
	s.order = s.order[i:]
	if len(s.order) > 4*len(s.byID)+1024 { // compact stale ids left by re-adds
		s.order = compact(s.order, s.byID)
	}
	return out
}

func compact(order []string, live map[string][]any) []string {
	out := make([]string, 0, len(live))
	seen := map[string]bool{}
	for _, id := range order {
		if _, ok := live[id]; ok && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
