package applier

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// recorder is a fake ResyncFunc that records every call and flags a key in
// two calls at once, and a call holding keys of several partitions that
// overlapped another call (the exclusive rule of flush.go).
type recorder struct {
	workers int
	hook    func(ctx context.Context, keys [][]any) error // runs inside the call

	mu        sync.Mutex
	calls     []call
	inflight  map[string]int // key -> call index
	cur, peak int            // calls in progress
	multi     int            // multi-partition calls in progress
	overlaps  []string
}

type call struct {
	keys       []string
	multi      bool // holds keys of several partitions
	start, end time.Time
	err        error
}

func newRecorder(workers int, hook func(context.Context, [][]any) error) *recorder {
	return &recorder{workers: workers, hook: hook, inflight: map[string]int{}}
}

func (r *recorder) resync(ctx context.Context, keys [][]any) error {
	i := r.enter(keys)
	var err error
	if r.hook != nil {
		err = r.hook(ctx, keys)
	}
	r.leave(i, err)
	return err
}

func (r *recorder) enter(keys [][]any) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	i := len(r.calls)
	c := call{start: time.Now()}
	parts := map[int]bool{}
	for _, k := range keys {
		id := KeyString(k)
		if j, ok := r.inflight[id]; ok {
			r.overlaps = append(r.overlaps, fmt.Sprintf("key %v in calls %d and %d", k, j, i))
		}
		r.inflight[id] = i
		c.keys = append(c.keys, id)
		parts[partOf(id, r.workers)] = true
	}
	c.multi = len(parts) > 1
	if r.multi > 0 || (c.multi && r.cur > 0) {
		r.overlaps = append(r.overlaps, fmt.Sprintf("call %d overlapped a multi-partition call", i))
	}
	if c.multi {
		r.multi++
	}
	r.cur++
	r.peak = max(r.peak, r.cur)
	r.calls = append(r.calls, c)
	return i
}

func (r *recorder) leave(i int, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, id := range r.calls[i].keys {
		if r.inflight[id] == i {
			delete(r.inflight, id)
		}
	}
	r.calls[i].end, r.calls[i].err = time.Now(), err
	r.cur--
	if r.calls[i].multi {
		r.multi--
	}
}

func (r *recorder) snapshot() (calls []call, cur, peak int, overlaps []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]call(nil), r.calls...), r.cur, r.peak, append([]string(nil), r.overlaps...)
}

func (r *recorder) checkNoOverlap(t *testing.T) {
	t.Helper()
	if _, _, _, o := r.snapshot(); len(o) > 0 {
		t.Fatalf("%d overlapping resyncs, first: %s", len(o), o[0])
	}
}

// callsWith are the ended, successful calls that resynced key, in start order.
func (r *recorder) callsWith(key []any) []call {
	calls, _, _, _ := r.snapshot()
	id := KeyString(key)
	var out []call
	for _, c := range calls {
		for _, k := range c.keys {
			if k == id && c.err == nil && !c.end.IsZero() {
				out = append(out, c)
			}
		}
	}
	return out
}

type busyErr struct{}

func (busyErr) Error() string { return "rows locked" }
func (busyErr) Busy() bool    { return true }

type dupErr struct{ keys [][]any }

func (e dupErr) Error() string            { return "duplicate entry" }
func (e dupErr) ConflictingKeys() [][]any { return e.keys }

func key(i int) []any { return []any{int64(i)} }

func keys(from, to int) [][]any {
	var out [][]any
	for i := from; i < to; i++ {
		out = append(out, key(i))
	}
	return out
}

// keysIn returns n keys of partition p among workers.
func keysIn(p, n, workers int) [][]any {
	var out [][]any
	for i := 0; len(out) < n; i++ {
		if partOf(KeyString(key(i)), workers) == p {
			out = append(out, key(i))
		}
	}
	return out
}

// has says whether batch holds k.
func has(batch [][]any, k []any) bool {
	for _, b := range batch {
		if KeyString(b) == KeyString(k) {
			return true
		}
	}
	return false
}

// run starts a.Run; stop cancels it, waits for it and returns its error.
func run(t *testing.T, a *Applier) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("Run did not return after its ctx ended")
			}
		})
		return err
	}
	t.Cleanup(func() { stop() })
	return stop
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting: %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// caughtUp is migration.CaughtUp's condition.
func caughtUp(a *Applier) func() bool {
	return func() bool { return a.Backlog() == 0 && !a.Busy() }
}

// returnsWithin runs f and says whether it returned within d.
func returnsWithin(d time.Duration, f func()) (returned chan struct{}, ok bool) {
	returned = make(chan struct{})
	go func() { f(); close(returned) }()
	select {
	case <-returned:
		return returned, true
	case <-time.After(d):
		return returned, false
	}
}
