package control

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
)

// fakeTarget records what the server asked of it.
type fakeTarget struct {
	mu        sync.Mutex
	status    Status
	knobs     map[string]string
	throttled bool
	postponed bool
	released  int // Unpostpone calls that released a cut-over
	panicked  int
	writes    int // calls that could change something
	panicOn   string
}

func newFake() *fakeTarget {
	return &fakeTarget{
		status: Status{
			State: "copying", Database: "shop", Table: "orders", Shadow: "_orders_new",
			RowsCopied: 12345, RowsEstimated: 100000, Progress: 12.345, Backlog: 5,
			StreamLagMS: 100, ReplicaLagMS: 40, Throttled: true, ThrottleReason: "manual",
			ETASeconds: -1, ElapsedSeconds: 61.4, ChunkSize: 1000,
		},
		knobs: map[string]string{
			"chunk-size": "1000", "nice-ratio": "0", "max-lag-millis": "1500",
			"max-load": "", "critical-load": "", "throttle-query": "",
			"throttle-http": "", "throttle-control-replicas": "",
		},
		throttled: true,
	}
}

func (f *fakeTarget) Status() Status {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.panicOn == "status" {
		panic("boom")
	}
	st := f.status
	st.Throttled, st.Postponed = f.throttled, f.postponed
	if !f.throttled {
		st.ThrottleReason = ""
	}
	return st
}

func (f *fakeTarget) SetThrottle(on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.writes++
	f.throttled = on
}

// Set knows the knobs of newFake and checks chunk-size's range, as the
// migration would.
func (f *fakeTarget) Set(name, value string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.writes++
	if _, ok := f.knobs[name]; !ok {
		return fmt.Errorf("unknown setting %q", name)
	}
	if n, err := strconv.Atoi(value); name == "chunk-size" && (err != nil || n < 10) {
		return fmt.Errorf("chunk-size must be at least 10")
	}
	f.knobs[name] = value
	return nil
}

func (f *fakeTarget) Get(name string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.knobs[name]
	if !ok {
		return "", fmt.Errorf("unknown setting %q", name)
	}
	return v, nil
}

func (f *fakeTarget) Unpostpone() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.writes++
	if !f.postponed {
		return errors.New("the cut-over is not postponed")
	}
	f.postponed = false
	f.released++
	return nil
}

func (f *fakeTarget) Panic() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.writes++
	f.panicked++
}

// snapshot is the fake's state, to compare before and after a command.
type snapshot struct {
	knobs                     string
	throttled, postponed      bool
	released, panicked, write int
}

func (f *fakeTarget) snapshot() snapshot {
	f.mu.Lock()
	defer f.mu.Unlock()
	return snapshot{fmt.Sprint(f.knobs), f.throttled, f.postponed, f.released, f.panicked, f.writes}
}

func (f *fakeTarget) setPostponed(p bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.postponed = p
}
