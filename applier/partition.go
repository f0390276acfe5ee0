package applier

// The pending keys are split into one set per worker by a hash of the key.
// Worker p alone takes batches from set p, one at a time, so a key is never
// in two worker batches at once; see gate in flush.go for the keys a
// conflict brings in from other sets.

// partOf is the partition of the key whose KeyString is id (FNV-1a:
// stable, cheap, and spreads sequential ids).
func partOf(id string, n int) int {
	if n == 1 {
		return 0
	}
	h := uint32(2166136261)
	for i := 0; i < len(id); i++ {
		h ^= uint32(id[i])
		h *= 16777619
	}
	return int(h % uint32(n))
}

// addLocked puts key in its partition's set, pending since epoch since.
func (a *Applier) addLocked(key []any, since uint64) {
	id := KeyString(key)
	a.parts[partOf(id, len(a.parts))].addID(id, key, since)
}

// pendingLocked is the number of keys waiting in all partitions.
func (a *Applier) pendingLocked() int {
	n := 0
	for _, s := range a.parts {
		n += s.len()
	}
	return n
}

// foreign says whether any of keys belongs to a partition other than owner
// (owner < 0, a Drain, owns none).
func (a *Applier) foreign(keys [][]any, owner int) bool {
	for _, k := range keys {
		if partOf(KeyString(k), len(a.parts)) != owner {
			return true
		}
	}
	return false
}

// takeAnyLocked takes up to n keys from all partitions, a share of each, for
// Drain (which flushes them serially, whatever their partition).
func (a *Applier) takeAnyLocked(n int) ([][]any, uint64) {
	var out [][]any
	since := uint64(never)
	for len(out) < n {
		before := len(out)
		share := max(1, (n-len(out))/len(a.parts))
		for _, s := range a.parts {
			keys, old := s.take(min(share, n-len(out)))
			out = append(out, keys...)
			since = min(since, old)
		}
		if len(out) == before {
			break // all empty
		}
	}
	return out, since
}
