package applier

// Recording the keys handed to the applier is what lets a checksum compare
// most rows early: a row whose key the stream never reported did not change
// in the source since the stream started, and nothing but the applier (for
// reported keys) writes it in the shadow after its copy. So a row found equal
// after its copy is still equal at the checksum's consistent point unless its
// key is among the recorded ones, which the point compares again.

// touched is the set of recorded keys, bounded: past limit it stops and
// says it is incomplete.
type touched struct {
	ids   map[string]struct{}
	keys  [][]any
	limit int
	over  bool
}

// Record starts recording every key added from now on, up to limit
// distinct keys (about 100 bytes each); past it Touched reports incomplete.
func (a *Applier) Record(limit int) {
	a.mu.Lock()
	a.rec = &touched{ids: map[string]struct{}{}, limit: limit}
	a.mu.Unlock()
}

// StopRecording drops the recorded keys.
func (a *Applier) StopRecording() {
	a.mu.Lock()
	a.rec = nil
	a.mu.Unlock()
}

// Touched returns the distinct keys added since Record, and whether that
// is all of them (false: more than the limit, or not recording).
func (a *Applier) Touched() (keys [][]any, complete bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.rec == nil || a.rec.over {
		return nil, false
	}
	return append([][]any(nil), a.rec.keys...), true
}

func (t *touched) add(key []any) {
	if t == nil || t.over {
		return
	}
	id := KeyString(key)
	if _, ok := t.ids[id]; ok {
		return
	}
	if len(t.keys) >= t.limit {
		t.over, t.ids, t.keys = true, nil, nil
		return
	}
	t.ids[id] = struct{}{}
	t.keys = append(t.keys, key)
}
