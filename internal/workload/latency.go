package workload

import (
	"sort"
	"sync"
	"time"
)

// Latency is the duration of one statement or COMMIT/ROLLBACK.
type Latency struct {
	Start    time.Time
	Duration time.Duration
	Op       string
}

// Per worker, keep every sample up to maxSamples (a few seconds to minutes
// of a test), then only the slow ones, which are what stall checks need.
const (
	maxSamples    = 1 << 20
	slowThreshold = time.Millisecond
)

type sample struct {
	start, dur int64 // unix nanoseconds, nanoseconds
	op         opCode
}

// opCode keeps samples small; opNames gives Latency.Op.
type opCode uint8

const (
	opBegin opCode = iota
	opInsert
	opUpdate
	opUpdateKey
	opDelete
	opCommit
	opRollback
)

var opNames = [...]string{"BEGIN", "INSERT", "UPDATE", "UPDATE KEY", "DELETE", "COMMIT", "ROLLBACK"}

func (o opCode) String() string { return opNames[o] }

// recorder keeps one worker's samples.
type recorder struct {
	mu      sync.Mutex
	samples []sample
	max     time.Duration
}

func (r *recorder) record(op opCode, start time.Time, d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.max = max(r.max, d)
	if len(r.samples) < maxSamples || d >= slowThreshold {
		r.samples = append(r.samples, sample{start: start.UnixNano(), dur: int64(d), op: op})
	}
}

func (r *recorder) maxLatency() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.max
}

// Latencies returns the recorded statement latencies of all runs so far,
// ordered by start time. Safe to call while running.
func (w *Workload) Latencies() []Latency {
	var out []Latency
	for _, r := range w.recorders() {
		r.mu.Lock()
		for _, s := range r.samples {
			out = append(out, Latency{Start: time.Unix(0, s.start), Duration: time.Duration(s.dur), Op: s.op.String()})
		}
		r.mu.Unlock()
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out
}

// MaxLatencyBetween returns the longest latency of any statement that was
// in flight at some moment in [t0, t1], e.g. around a cut-over.
func (w *Workload) MaxLatencyBetween(t0, t1 time.Time) time.Duration {
	lo, hi := t0.UnixNano(), t1.UnixNano()
	var m time.Duration
	for _, r := range w.recorders() {
		r.mu.Lock()
		for _, s := range r.samples {
			if s.start <= hi && s.start+s.dur >= lo {
				m = max(m, time.Duration(s.dur))
			}
		}
		r.mu.Unlock()
	}
	return m
}
