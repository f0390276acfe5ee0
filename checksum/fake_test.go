package checksum

import (
	"context"
	"sync"
)

// fakeTables is a source and a shadow keyed 1..n (int64), values compared
// by equality; a snapshot reads them as they are when it reads.
type fakeTables struct {
	mu     sync.Mutex
	src    map[int64]int
	shadow map[int64]int
	opened int // snapshots opened
}

func newFakeTables(n int) *fakeTables {
	f := &fakeTables{src: map[int64]int{}, shadow: map[int64]int{}}
	for k := int64(1); k <= int64(n); k++ {
		f.src[k], f.shadow[k] = int(k), int(k)
	}
	return f
}

func (f *fakeTables) open(context.Context) (Snapshot, func(), error) {
	f.mu.Lock()
	f.opened++
	f.mu.Unlock()
	return fakeSnap{f}, func() {}, nil
}

type fakeSnap struct{ f *fakeTables }

func bound(k []any, open int64) int64 {
	if k == nil {
		return open
	}
	return k[0].(int64)
}

func (s fakeSnap) keys() []int64 {
	var max int64
	for k := range s.f.src {
		max = maxOf(max, k)
	}
	for k := range s.f.shadow {
		max = maxOf(max, k)
	}
	var out []int64
	for k := int64(1); k <= max; k++ {
		_, a := s.f.src[k]
		_, b := s.f.shadow[k]
		if a || b {
			out = append(out, k)
		}
	}
	return out
}

func maxOf(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}

func (s fakeSnap) NextBoundary(_ context.Context, after []any, size int) ([]any, bool, error) {
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	lo, n := bound(after, 0), 0
	for k := lo + 1; k <= lo+1_000_000; k++ {
		if _, ok := s.f.src[k]; ok {
			if n++; n == size {
				return []any{k}, true, nil
			}
		}
		if k > int64(len(s.f.src))*4+100 {
			break
		}
	}
	return nil, false, nil
}

func (s fakeSnap) differs(k int64) bool {
	a, okA := s.f.src[k]
	b, okB := s.f.shadow[k]
	return okA != okB || a != b
}

func (s fakeSnap) Diff(_ context.Context, lo, hi []any, limit int) ([][]any, error) {
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	l, h := bound(lo, 0), bound(hi, 1<<62)
	var out [][]any
	for _, k := range s.keys() {
		if k > l && k <= h && s.differs(k) && len(out) < limit {
			out = append(out, []any{k})
		}
	}
	return out, nil
}

func (s fakeSnap) DiffKeys(_ context.Context, keys [][]any, limit int) ([][]any, error) {
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	var out [][]any
	for _, k := range keys {
		if s.differs(k[0].(int64)) && len(out) < limit {
			out = append(out, k)
		}
	}
	return out, nil
}
