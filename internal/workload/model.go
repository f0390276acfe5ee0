package workload

import (
	"math/rand/v2"
	"sync"
)

// state is what the model knows about one id: absent, or present with the
// wl_ver of the last acknowledged write.
type state struct {
	present bool
	ver     int64
}

// partition is the part of the model owned by one worker: ids with
// id % workers == index. Only its worker mutates it while running; the
// mutex makes reads from Check or Stats safe at any time.
type partition struct {
	mu        sync.Mutex
	index     int64
	live      []int64         // present, certain ids, for O(1) random picks
	pos       map[int64]int   // id -> index in live
	ver       map[int64]int64 // id -> wl_ver, for ids in live
	uncertain map[int64][]state
}

func newPartition(index int64) *partition {
	return &partition{index: index, pos: map[int64]int{}, ver: map[int64]int64{},
		uncertain: map[int64][]state{}}
}

// model holds one partition per worker.
type model struct {
	parts []*partition
}

func newModel(workers int) *model {
	m := &model{}
	for i := range workers {
		m.parts = append(m.parts, newPartition(int64(i)))
	}
	return m
}

func (m *model) partitionOf(id int64) *partition {
	return m.parts[id%int64(len(m.parts))]
}

func (p *partition) get(id int64) state {
	p.mu.Lock()
	defer p.mu.Unlock()
	v, ok := p.ver[id]
	return state{present: ok, ver: v}
}

// set records s as the certain state of id.
func (p *partition) set(id int64, s state) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.setLocked(id, s)
}

func (p *partition) setLocked(id int64, s state) {
	i, had := p.pos[id]
	switch {
	case s.present && !had:
		p.pos[id] = len(p.live)
		p.live = append(p.live, id)
	case !s.present && had:
		last := p.live[len(p.live)-1]
		p.live[i], p.pos[last] = last, i
		p.live = p.live[:len(p.live)-1]
		delete(p.pos, id)
	}
	if s.present {
		p.ver[id] = s.ver
	} else {
		delete(p.ver, id)
	}
}

// markUncertain records that id is in one of the given states (the commit
// that would have changed it failed ambiguously). The workload never
// touches it again, so the set stays valid.
func (p *partition) markUncertain(id int64, states ...state) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.setLocked(id, state{})
	p.uncertain[id] = append(p.uncertain[id], states...)
}

// randomLive returns a random present, certain id of p.
func (p *partition) randomLive(r *rand.Rand) (int64, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.live) == 0 {
		return 0, false
	}
	return p.live[r.IntN(len(p.live))], true
}

// randomFree returns a random id of p in [1, keySpace] that is neither
// present nor uncertain, giving up after a few tries when p is nearly full.
func (p *partition) randomFree(r *rand.Rand, workers, keySpace int64) (int64, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	// ids of p are index + k*workers; k from kMin keeps them >= 1.
	kMin := int64(0)
	if p.index == 0 {
		kMin = 1
	}
	kMax := (keySpace - p.index) / workers
	if kMax < kMin {
		return 0, false
	}
	for range 32 {
		id := p.index + (kMin+r.Int64N(kMax-kMin+1))*workers
		_, live := p.pos[id]
		_, unsure := p.uncertain[id]
		if !live && !unsure {
			return id, true
		}
	}
	return 0, false
}

// liveFraction is the share of p's ids in [1, keySpace] that are present.
func (p *partition) liveFraction(workers, keySpace int64) float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return float64(len(p.live)) / float64(max(1, keySpace/workers))
}

// accepted returns the states Check accepts for id and whether id is
// uncertain.
func (m *model) accepted(id int64) ([]state, bool) {
	p := m.partitionOf(id)
	p.mu.Lock()
	defer p.mu.Unlock()
	if u, ok := p.uncertain[id]; ok {
		return u, true
	}
	v, ok := p.ver[id]
	return []state{{present: ok, ver: v}}, false
}

// counts returns the number of present and of uncertain ids.
func (m *model) counts() (live, uncertain int) {
	for _, p := range m.parts {
		p.mu.Lock()
		live += len(p.live)
		uncertain += len(p.uncertain)
		p.mu.Unlock()
	}
	return live, uncertain
}

// liveIDs returns all present, certain ids.
func (m *model) liveIDs() []int64 {
	var out []int64
	for _, p := range m.parts {
		p.mu.Lock()
		out = append(out, p.live...)
		p.mu.Unlock()
	}
	return out
}

// uncertainIDs returns all uncertain ids.
func (m *model) uncertainIDs() []int64 {
	var out []int64
	for _, p := range m.parts {
		p.mu.Lock()
		for id := range p.uncertain {
			out = append(out, id)
		}
		p.mu.Unlock()
	}
	return out
}
