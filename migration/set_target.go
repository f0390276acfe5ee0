package migration

import (
	"errors"
	"slices"
	"strings"

	"github.com/hotswap/hotswap/control"
)

var _ control.Target = (*Set)(nil)

// stateOrder ranks the states for a set's status: the set is as far as its
// least advanced table (a failure anywhere is the set's).
var stateOrder = []string{StatePreflight, StateCopying, StateIndexing, StateApplying, StatePostponed, StateVerifying,
	StateCuttingOver, StateDone}

// Status is the whole run's, with each table's in Tables: rows and backlog
// added up, lags and ETA the largest, throttled when any table is.
func (s *Set) Status() control.Status {
	st := control.Status{Server: s.cfg.Conn.Addr(), Database: s.cfg.Conn.Database, Table: s.tables(), ETASeconds: 0}
	var shadows []string
	state := len(stateOrder)
	for _, m := range s.runs {
		t := control.Status{State: m.State(), Server: st.Server, Database: st.Database, Table: m.cfg.Table, ETASeconds: -1}
		if m.parts() != nil { // published once built: what Status reads is settled
			t = m.Status()
		}
		st.Tables = append(st.Tables, t)
		shadows = append(shadows, t.Shadow)
		st.RowsCopied += t.RowsCopied
		st.RowsEstimated += t.RowsEstimated
		st.Backlog += t.Backlog
		st.StreamLagMS, st.ReplicaLagMS = max(st.StreamLagMS, t.StreamLagMS), max(st.ReplicaLagMS, t.ReplicaLagMS)
		st.ElapsedSeconds = max(st.ElapsedSeconds, t.ElapsedSeconds)
		st.ChunkSize, st.ChunkMS = max(st.ChunkSize, t.ChunkSize), max(st.ChunkMS, t.ChunkMS)
		st.RowsPerSecond += t.RowsPerSecond
		st.BusyChunks += t.BusyChunks
		st.ChecksumChunks += t.ChecksumChunks
		st.ChecksumDiffering += t.ChecksumDiffering
		st.CutOverAttempts = max(st.CutOverAttempts, t.CutOverAttempts)
		st.LastCutOverMS = max(st.LastCutOverMS, t.LastCutOverMS)
		if t.ETAReason != "" && st.ETAReason == "" {
			st.ETAReason = t.Table + ": " + t.ETAReason
		}
		st.Postponed = st.Postponed || t.Postponed
		if t.Throttled && !st.Throttled {
			st.Throttled, st.ThrottleReason = true, t.Table+": "+t.ThrottleReason
		}
		if st.ETASeconds >= 0 {
			st.ETASeconds = max(st.ETASeconds, t.ETASeconds)
		}
		if t.ETASeconds < 0 {
			st.ETASeconds = -1 // one table unknown: the run's is too
		}
		if i := slices.Index(stateOrder, t.State); t.State == StateFailed || (i >= 0 && i < state) {
			state, st.State = i, t.State
		}
	}
	if st.State == "" { // a state the ranking does not know: the first table's
		st.State = s.runs[0].State()
	}
	st.Shadow = strings.Join(shadows, ",")
	if st.RowsEstimated > 0 {
		st.Progress = min(100, 100*float64(st.RowsCopied)/float64(st.RowsEstimated))
	}
	return st
}

// SetThrottle, Set, Unpostpone and Panic reach every table's run.
func (s *Set) SetThrottle(on bool) {
	for _, m := range s.runs {
		m.SetThrottle(on)
	}
}

func (s *Set) Set(name, value string) error {
	var errs []error
	for _, m := range s.runs {
		if err := m.Set(name, value); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) == len(s.runs) {
		return errs[0] // a bad name or value: every table says the same
	}
	return errors.Join(errs...)
}

// Get reads a knob of the first table (the throttling settings are the
// run's; chunk-size, each table's own, is the largest in status).
func (s *Set) Get(name string) (string, error) { return s.runs[0].Get(name) }

func (s *Set) Unpostpone() error {
	for _, m := range s.runs {
		_ = m.Unpostpone() // never fails
	}
	return nil
}

func (s *Set) Panic() {
	for _, m := range s.runs {
		m.Panic()
	}
}
