package workload

import (
	"fmt"
	"sync"
	"time"
)

// Stats summarizes one Start..Stop run. Counters count acknowledged
// (committed) statements; a key-changing update counts as KeyChanges only.
//
// Rollbacks counts deliberate rollbacks and those forced by a duplicate on
// another UNIQUE key (DupRollbacks); transactions that failed with an
// unexpected error are counted in ErrorCount only.
type Stats struct {
	Commits, Rollbacks, Inserts, Updates, Deletes, KeyChanges int64
	Errors                                                    []error // first maxErrors unexpected errors, as *OpError
	MaxLatency                                                time.Duration

	ErrorCount    int64 // all unexpected errors, also those not kept in Errors
	DupRollbacks  int64 // rollbacks forced by a duplicate on another UNIQUE key (also in Rollbacks)
	UncertainKeys int   // keys left uncertain by failed commits (whole model, not just this run)
}

func (s *Stats) add(o Stats) {
	s.Commits += o.Commits
	s.Rollbacks += o.Rollbacks
	s.Inserts += o.Inserts
	s.Updates += o.Updates
	s.Deletes += o.Deletes
	s.KeyChanges += o.KeyChanges
	s.DupRollbacks += o.DupRollbacks
	s.MaxLatency = max(s.MaxLatency, o.MaxLatency)
}

// maxErrors bounds Stats.Errors: after that many, errors are only counted.
const maxErrors = 100

// OpError is an error the server returned for a workload statement, as the
// application would have seen it.
type OpError struct {
	Worker  int
	Op      string // BEGIN, INSERT, UPDATE, UPDATE KEY, DELETE, COMMIT, ROLLBACK
	ID      int64  // the row id the statement addressed (0 for BEGIN/COMMIT/ROLLBACK)
	SQL     string // the statement text (without arguments), empty for BEGIN/COMMIT/ROLLBACK
	Time    time.Time
	Latency time.Duration
	Err     error
}

func (e *OpError) Error() string {
	return fmt.Sprintf("worker %d %s id=%d at %s (after %v): %v", e.Worker, e.Op, e.ID,
		e.Time.Format("15:04:05.000"), e.Latency.Round(time.Microsecond), e.Err)
}

func (e *OpError) Unwrap() error { return e.Err }

// errorSink collects errors from all workers of a run.
type errorSink struct {
	mu    sync.Mutex
	errs  []error
	count int64
}

func (s *errorSink) add(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.count++
	if len(s.errs) < maxErrors {
		s.errs = append(s.errs, err)
	}
}

func (s *errorSink) snapshot() ([]error, int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]error(nil), s.errs...), s.count
}
