package control

import (
	"strings"
	"testing"
)

func TestFormatSup(t *testing.T) {
	st := Status{State: "applying", RowsCopied: 7, RowsEstimated: 7, Progress: 100, StreamLagMS: 20, ReplicaLagMS: 2340}
	if got, want := formatSup(st), "copy: 7/7 100.0%; backlog 0; lag 2.3s; state applying; throttled: no"; got != want {
		t.Errorf("sup = %q, want %q", got, want)
	}
	st.Throttled = true
	if got := formatSup(st); !strings.HasSuffix(got, "throttled: yes") {
		t.Errorf("sup throttled without a reason = %q", got)
	}
}

func TestFormatStatus(t *testing.T) {
	st := Status{State: "postponed", Table: "t", Shadow: "_t_new", RowsCopied: 3000, RowsEstimated: 2900,
		Progress: 100, ETASeconds: 0, ElapsedSeconds: 3, Postponed: true, ChunkSize: 500}
	got := formatStatus(st)
	for _, want := range []string{"table:              t -> _t_new", "1000 rows/s on average", "eta:                0s",
		"chunk size:         500", "cut-over postponed: yes", "throttled:          no"} {
		if !strings.Contains(got, want) {
			t.Errorf("status lacks %q:\n%s", want, got)
		}
	}
	if strings.Count(got, "\n") != 10 {
		t.Errorf("status is not 11 lines:\n%s", got)
	}
}

// TestFormatStatusBackfill: a backfill (no shadow) shows the rows scanned
// and changed, and none of a migration's stream or cut-over lines.
func TestFormatStatusBackfill(t *testing.T) {
	st := Status{State: "waiting", Database: "shop", Table: "t", RowsCopied: 4000, RowsChanged: 3600, RowsEstimated: 8000,
		Progress: 50, Throttled: true, ThrottleReason: "waiting for window 01:00-05:00 UTC", ChunkSize: 100}
	got := formatStatus(st)
	for _, want := range []string{"table:              shop.t\n", "changed:            3600 rows", "waiting for window 01:00-05:00 UTC"} {
		if !strings.Contains(got, want) {
			t.Errorf("status lacks %q:\n%s", want, got)
		}
	}
	for _, not := range []string{"backlog", "stream lag", "cut-over"} {
		if strings.Contains(got, not) {
			t.Errorf("a backfill's status shows %q:\n%s", not, got)
		}
	}
}

func TestStatusShowsTheRevertWindow(t *testing.T) {
	st := Status{State: "revertible", Database: "shop", Table: "orders", Shadow: "_orders_new", RevertLeftSeconds: 90,
		ReverseLagMS: 12, ReverseBacklog: 3, RevertRows: 4000}
	got := formatStatus(st)
	for _, want := range []string{"revert window left:", "reverse lag:", "3 keys (4000 sent back so far)"} {
		if !strings.Contains(got, want) {
			t.Errorf("status in a revert window lacks %q:\n%s", want, got)
		}
	}
	st.State = "copying"
	if strings.Contains(formatStatus(st), "revert window") {
		t.Error("a run outside its window shows a revert window")
	}
}
