package versions

import (
	"encoding/json"
	"fmt"
)

// progress is how far a version's file has run, kept in the history table
// (Record.Steps) so that a killed or failed version continues at the
// statement it stopped at, and never runs a finished one again.
type progress struct {
	Down       bool   `json:"down,omitempty"` // the down file is running (or stopped)
	Statements []step `json:"statements"`
}

// step is how one statement ran.
type step struct {
	Line   int    `json:"line"`
	Method string `json:"method,omitempty"` // direct, online, instant or backfill
	Schema string `json:"schema,omitempty"` // the table's, when the statement names it
	Table  string `json:"table,omitempty"`  // online, backfill: the table changed
	Rows   int64  `json:"rows,omitempty"`   // online, backfill: the table's estimated rows when it started
	// Started: an online run began (a resume continues it from its
	// checkpoint); Done: the statement finished.
	Started bool `json:"started,omitempty"`
	Done    bool `json:"done,omitempty"`
	// Window: the online run kept its revert window open when up went on
	// (window.go); a revertible version's statements all have one.
	Window bool `json:"window,omitempty"`
}

// Ways a statement runs.
const (
	methodDirect = "direct"
	methodOnline = "online"
	// methodBackfill: an UPDATE or DELETE run in chunks (package backfill).
	methodBackfill = "backfill"
	// methodInstant: an online statement the server made in place, without a
	// copy (the run's AttemptInstantDDL).
	methodInstant = "instant"
)

func (p progress) encode() string {
	b, _ := json.Marshal(p) // plain values: cannot fail
	return string(b)
}

// readProgress reads a record's progress ("" for none).
func readProgress(s string) (progress, error) {
	var p progress
	if s == "" {
		return p, nil
	}
	if err := json.Unmarshal([]byte(s), &p); err != nil {
		return p, fmt.Errorf("the history's record of its statements is unreadable (%v)", err)
	}
	return p, nil
}

// forFile is the progress of a file of n statements run in direction down:
// the recorded one if it is that file's, else a fresh one. A record of the
// same direction but another number of statements is refused: the file
// changed since it ran.
func (p progress) forFile(n int, down bool) (progress, error) {
	if p.Down != down || len(p.Statements) == 0 {
		return progress{Down: down, Statements: make([]step, n)}, nil
	}
	if len(p.Statements) != n {
		return p, fmt.Errorf("the history records %d statements, the file now has %d", len(p.Statements), n)
	}
	return p, nil
}
