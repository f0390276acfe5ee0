package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hotswap/hotswap/schema"
)

// RunInfo is one thing of hotswap's found on a server by `hotswap status`:
// a run of alter (or of an online statement of migrate), a backfill, a
// revert window, an unfinished version of migrate, a replication slot or a
// publication; live (its lock is held, its slot in use) or left behind.
type RunInfo struct {
	Kind   string `json:"kind"`            // one of the Kind constants
	Schema string `json:"schema"`          // MySQL database, PostgreSQL schema
	Table  string `json:"table,omitempty"` // "" when no table is known (a version, a slot of a table gone)
	State  string `json:"state"`           // Live or Left
	HeldBy string `json:"held_by,omitempty"`

	Rows         int64     `json:"rows_done,omitempty"`      // copied (a run) or changed (a backfill)
	Covered      int64     `json:"rows_covered,omitempty"`   // a backfill's rows passed by its chunks
	Estimate     int64     `json:"rows_estimated,omitempty"` // the server's estimate of the table's rows
	Done         bool      `json:"copy_done,omitempty"`      // the copy (or the backfill's chunks) finished
	Checkpointed time.Time `json:"checkpointed_at,omitzero"`
	Statement    string    `json:"statement,omitempty"` // the checkpointed ALTER or change
	Version      uint64    `json:"version,omitempty"`
	Detail       string    `json:"detail,omitempty"` // a version's name, state and error
	Started      time.Time `json:"started_at,omitzero"`
	WALRetained  *int64    `json:"wal_retained_bytes,omitempty"` // a slot: WAL the server keeps for it

	Objects []string `json:"objects,omitempty"` // what it has on the server: tables, slot, publication
	Hint    string   `json:"hint,omitempty"`    // what to do about it
}

// Kinds of RunInfo.
const (
	KindRun          = "run"
	KindBackfill     = "backfill"
	KindRevertWindow = "revert window"
	KindMigrate      = "migrate"
	KindSlot         = "slot"
	KindPublication  = "publication"
)

// States of a RunInfo.
const (
	Live = "live" // its lock is held (its slot is in use): a process is running it
	Left = "left" // nothing runs it: a killed or failed run's remains
)

// sortRuns orders runs by schema, table and kind, for a stable listing.
func sortRuns(runs []RunInfo) {
	sort.SliceStable(runs, func(i, j int) bool {
		a, b := runs[i], runs[j]
		if a.Schema != b.Schema {
			return a.Schema < b.Schema
		}
		if a.Table != b.Table {
			return a.Table < b.Table
		}
		return a.Kind < b.Kind
	})
}

// SchemaTables is what an engine read of one database (MySQL) or schema
// (PostgreSQL) for TableRuns.
type SchemaTables struct {
	Schema     string
	Tables     []string          // every base table
	Sentries   map[string]bool   // tables that are a cut-over sentry (not an old table a finished run kept)
	Holders    map[string]string // table → who holds its run lock
	MaxNameLen int
	// Leftovers are the suffixes of the tables a dead run leaves besides
	// its checkpoints, as the engine's cleanup knows them ("old": only a
	// sentry is one).
	Leftovers []string
	// TableArg is how --table names a table (PostgreSQL: schema.table).
	TableArg func(table string) string
}

// CheckpointReader reads what TableRuns needs of the server: a checkpoint
// table's row and a table's estimated rows.
type CheckpointReader interface {
	LoadCheckpoint(ctx context.Context, schema, name string) (stmt, state string, found bool, err error)
	EstimateRows(ctx context.Context, schema, table string) (int64, error)
}

// TableRuns finds the runs on s's tables: a held run lock, or tables named
// after a table the way a run names them (schema.DerivedName), so a table
// of the user's with a name of its own is never taken for hotswap's.
func TableRuns(ctx context.Context, s SchemaTables, r CheckpointReader) ([]RunInfo, error) {
	exists := make(map[string]bool, len(s.Tables))
	for _, t := range s.Tables {
		exists[t] = true
	}
	var out []RunInfo
	for _, t := range s.Tables {
		run := RunInfo{Kind: KindRun, Schema: s.Schema, Table: t}
		for _, suffix := range s.Leftovers {
			name := schema.DerivedName(t, suffix, s.MaxNameLen)
			if exists[name] && (suffix != "old" || s.Sentries[name]) {
				run.Objects = append(run.Objects, name)
			}
		}
		bf := RunInfo{Kind: KindBackfill, Schema: s.Schema, Table: t}
		for _, ri := range []*RunInfo{&run, &bf} {
			suffix := map[string]string{KindRun: "chk", KindBackfill: "bf"}[ri.Kind]
			if name := schema.DerivedName(t, suffix, s.MaxNameLen); exists[name] {
				if err := readCheckpoint(ctx, r, ri, name); err != nil {
					return nil, err
				}
			}
		}
		found := s.describe(ctx, r, []RunInfo{run, bf})
		out = append(out, found...)
	}
	return out, nil
}

// describe keeps the runs of one table that have something on the server
// (or its lock, which goes to the run when there is nothing else), with
// their state, estimate and hint.
func (s SchemaTables) describe(ctx context.Context, r CheckpointReader, cands []RunInfo) []RunInfo {
	var out []RunInfo
	for _, ri := range cands {
		if len(ri.Objects) > 0 {
			out = append(out, ri)
		}
	}
	holder := s.Holders[cands[0].Table]
	if len(out) == 0 && holder != "" {
		out = append(out, cands[0])
	}
	for i := range out {
		ri := &out[i]
		ri.State, ri.HeldBy = Left, holder
		if holder != "" {
			ri.State = Live
		}
		// The estimate only measures the progress: without one the rest is
		// still worth showing.
		ri.Estimate, _ = r.EstimateRows(ctx, ri.Schema, ri.Table)
		arg := ri.Table
		if s.TableArg != nil {
			arg = s.TableArg(ri.Table)
		}
		ri.Hint = hint(*ri, arg)
	}
	return out
}

// runCheckpoint is what status reads of an online ALTER's checkpoint: its
// progress and whether it was in its revert window.
type runCheckpoint struct {
	CopyProgress
	Window json.RawMessage `json:"window"`
}

// readCheckpoint adds the checkpoint table name to ri. A table of that
// name that is not a checkpoint (no such columns, not JSON) is the user's:
// it is not counted, nor is the error.
func readCheckpoint(ctx context.Context, r CheckpointReader, ri *RunInfo, name string) error {
	stmt, state, found, err := r.LoadCheckpoint(ctx, ri.Schema, name)
	if ctx.Err() != nil {
		return fmt.Errorf("read checkpoint %s.%s: %w", ri.Schema, name, ctx.Err())
	}
	var run runCheckpoint
	var bf BackfillProgress
	doc := any(&run)
	if ri.Kind == KindBackfill {
		doc = &bf
	}
	if err != nil || (found && json.Unmarshal([]byte(state), doc) != nil) {
		return nil
	}
	ri.Objects = append(ri.Objects, name)
	if !found { // killed before its first checkpoint
		return nil
	}
	ri.Statement = stmt
	if ri.Kind == KindBackfill {
		ri.Rows, ri.Covered, ri.Done, ri.Checkpointed = bf.Changed, bf.Covered, bf.Done, bf.Saved
		return nil
	}
	ri.Rows, ri.Done, ri.Checkpointed = run.Copied, run.CopyDone, run.Saved
	if len(run.Window) > 0 && string(run.Window) != "null" {
		ri.Kind = KindRevertWindow
	}
	return nil
}

// hint says what to do about a run left behind, in the words of the
// messages of a failed run; a live one is left alone.
func hint(ri RunInfo, table string) string {
	cleanup := fmt.Sprintf("`hotswap cleanup --table %s --execute`", table)
	switch {
	case ri.State == Live:
		return ""
	case ri.Kind == KindBackfill && ri.Checkpointed.IsZero():
		return "drop it with " + cleanup
	case ri.Kind == KindBackfill:
		return "run the same `hotswap backfill` again with --resume to continue, or " + cleanup + " to drop its checkpoint"
	case ri.Checkpointed.IsZero():
		return "nothing to resume (no checkpoint written): " + cleanup + ", then start again"
	case ri.Kind == KindRevertWindow:
		return "run the same command again with --resume to continue the revert window, or " + cleanup + " to give it up"
	}
	return fmt.Sprintf("continue with the same command and --resume (`hotswap alter --table %s --alter %s --resume ...`; `hotswap migrate up` when a version ran it), or give up with %s",
		table, shellQuote(ri.Statement), cleanup)
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// VersionsLeft are the versions of a history that are neither applied nor
// reverted (package versions' states: running, postponed, failed,
// revertible), live when holder holds the database's migrate lock.
func VersionsLeft(schemaName string, history []Record, holder string) []RunInfo {
	var out []RunInfo
	for _, r := range history {
		if r.State == "applied" || r.State == "reverted" {
			continue
		}
		ri := RunInfo{Kind: KindMigrate, Schema: schemaName, State: Left, HeldBy: holder, Version: r.Version,
			Rows: r.Rows, Started: r.Started, Objects: []string{HistoryTable}, Detail: versionDetail(r)}
		if holder != "" {
			ri.State = Live
		} else if r.State == "revertible" {
			ri.Hint = "`hotswap migrate down` reverts it from its revert windows' checkpoints, `hotswap migrate up` closes the windows"
		} else {
			ri.Hint = "`hotswap migrate up` (same --dir and flags) continues it at the statement it stopped at, or `hotswap migrate mark` records what was done by hand"
		}
		out = append(out, ri)
	}
	return out
}

// versionDetail is "version 3 add_email: failed: <the first line of the error>".
func versionDetail(r Record) string {
	d := fmt.Sprintf("version %d %s: %s", r.Version, r.Name, r.State)
	if first, _, _ := strings.Cut(r.Error, "\n"); first != "" {
		d += ": " + first
	}
	return d
}
