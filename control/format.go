package control

import (
	"fmt"
	"strings"
	"time"
)

// formatStatus is the human status block, one "label: value" a line.
func formatStatus(st Status) string {
	lines := migrationLines(st)
	if st.Shadow == "" { // a backfill: no shadow, stream or cut-over
		lines = [][2]string{
			{"state", st.State},
			{"table", qualified(st.Database, st.Table)},
			{"scanned", copied(st)},
			{"changed", fmt.Sprintf("%d rows", st.RowsChanged)},
			{"replica lag", millis(st.ReplicaLagMS)},
			{"throttled", throttled(st)},
			{"chunk size", fmt.Sprint(st.ChunkSize)},
			{"eta", seconds(st.ETASeconds)},
			{"elapsed", seconds(st.ElapsedSeconds)},
		}
	}
	var b strings.Builder
	for i, l := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "%-19s %s", l[0]+":", l[1])
	}
	return b.String()
}

func migrationLines(st Status) [][2]string {
	lines := [][2]string{
		{"state", st.State},
		{"table", qualified(st.Database, st.Table) + " -> " + qualified(st.Database, st.Shadow)},
		{"copied", copied(st)},
		{"backlog", fmt.Sprintf("%d keys", st.Backlog)},
		{"stream lag", millis(st.StreamLagMS)},
		{"replica lag", millis(st.ReplicaLagMS)},
		{"throttled", throttled(st)},
		{"chunk size", fmt.Sprint(st.ChunkSize)},
		{"eta", seconds(st.ETASeconds)},
		{"elapsed", seconds(st.ElapsedSeconds)},
		{"cut-over postponed", yesNo(st.Postponed)},
	}
	if st.State == "revertible" || st.State == "reverting" {
		lines = append(lines, [2]string{"revert window left", seconds(st.RevertLeftSeconds)},
			[2]string{"reverse lag", millis(st.ReverseLagMS)},
			[2]string{"reverse backlog", fmt.Sprintf("%d keys (%d sent back so far)", st.ReverseBacklog, st.RevertRows)})
	}
	return lines
}

// formatSup is status in one line. Its lag is the larger of the stream's and
// the replicas': either one holds the cut-over back.
func formatSup(st Status) string {
	return fmt.Sprintf("copy: %d/%d %.1f%%; backlog %d; lag %.1fs; state %s; throttled: %s",
		st.RowsCopied, st.RowsEstimated, st.Progress, st.Backlog,
		float64(max(st.StreamLagMS, st.ReplicaLagMS))/1000, st.State, throttled(st))
}

// copied is the copy's progress, with the average rate over the run.
func copied(st Status) string {
	s := fmt.Sprintf("%d of ~%d rows (%.1f%%)", st.RowsCopied, st.RowsEstimated, st.Progress)
	if st.ElapsedSeconds >= 1 && st.RowsCopied > 0 {
		s += fmt.Sprintf(", %.0f rows/s on average", float64(st.RowsCopied)/st.ElapsedSeconds)
	}
	return s
}

func qualified(db, table string) string {
	if db == "" {
		return table
	}
	return db + "." + table
}

func throttled(st Status) string {
	switch {
	case !st.Throttled:
		return "no"
	case st.ThrottleReason == "":
		return "yes"
	}
	return st.ThrottleReason
}

func millis(ms int64) string { return fmt.Sprintf("%.1fs", float64(ms)/1000) }

// seconds is a duration for people; negative means unknown.
func seconds(s float64) string {
	if s < 0 {
		return "unknown"
	}
	return time.Duration(s * float64(time.Second)).Round(time.Second).String()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
