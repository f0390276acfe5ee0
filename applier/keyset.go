// Package applier turns the stream's changed keys into writes on the shadow
// table: it keeps the set of dirty keys (a key changed a thousand times is
// resynced once), and flushes it in batches by re-reading the source rows.
package applier

import "math"

// keySet is an insertion-ordered set of keys, deduplicated by value. Each
// key remembers the epoch it has been pending since (see Mark).
type keySet struct {
	byID  map[string]entry
	order []string
}

type entry struct {
	key   []any
	since uint64
}

// never is the "since" of nothing pending: later than every epoch.
const never = math.MaxUint64

func newKeySet() *keySet { return &keySet{byID: map[string]entry{}} }

func (s *keySet) add(key []any) { s.addID(KeyString(key), key, 0) }

// addID adds key under id, its KeyString (the caller has it
// already). A key already pending keeps the older epoch.
func (s *keySet) addID(id string, key []any, since uint64) {
	if e, ok := s.byID[id]; ok {
		if since < e.since {
			s.byID[id] = entry{e.key, since}
		}
		return
	}
	s.byID[id] = entry{key, since}
	s.order = append(s.order, id)
}

// oldest is the smallest epoch a pending key has been waiting since.
func (s *keySet) oldest() uint64 {
	old := uint64(never)
	for _, e := range s.byID {
		old = min(old, e.since)
	}
	return old
}

func (s *keySet) len() int { return len(s.byID) }

// take removes and returns up to n keys, oldest first, and the oldest
// epoch among them (never when none).
func (s *keySet) take(n int) ([][]any, uint64) {
	var out [][]any
	since := uint64(never)
	i := 0
	for ; i < len(s.order) && len(out) < n; i++ {
		id := s.order[i]
		if e, ok := s.byID[id]; ok {
			out = append(out, e.key)
			since = min(since, e.since)
			delete(s.byID, id)
		}
	}
	s.order = s.order[i:]
	if len(s.order) > 4*len(s.byID)+1024 { // compact stale ids left by re-adds
		s.order = compact(s.order, s.byID)
	}
	return out, since
}

func compact(order []string, live map[string]entry) []string {
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
