package engine

import (
	"context"
	"encoding/json"
	"testing"
	"time"
)

// oneCheckpoint is a CheckpointReader holding one checkpoint's state.
type oneCheckpoint struct{ stmt, state string }

func (o oneCheckpoint) LoadCheckpoint(context.Context, string, string) (string, string, bool, error) {
	return o.stmt, o.state, true, nil
}
func (o oneCheckpoint) EstimateRows(context.Context, string, string) (int64, error) { return 0, nil }

// TestStatusReadsWhatRunsWrite: a checkpoint written with the progress types
// the runs embed (an alter's, one in its revert window, a backfill's) is
// read back by `hotswap status` with its rows, done and time.
func TestStatusReadsWhatRunsWrite(t *testing.T) {
	saved := time.Date(2026, 12, 4, 18, 0, 0, 0, time.UTC)
	alter, _ := json.Marshal(struct {
		Stream string `json:"stream"`
		CopyProgress
	}{"binlog.000001:4", CopyProgress{CopyDone: true, Copied: 42, Saved: saved}})
	window, _ := json.Marshal(struct {
		CopyProgress
		Window map[string]string `json:"window,omitempty"`
	}{CopyProgress{Copied: 7, Saved: saved}, map[string]string{"cut": "x"}})
	backfill, _ := json.Marshal(struct {
		BackfillProgress
	}{BackfillProgress{Done: true, Changed: 5, Covered: 9, Saved: saved}})
	for _, c := range []struct {
		kind, state, wantKind string
		rows, covered         int64
		done                  bool
	}{
		{KindRun, string(alter), KindRun, 42, 0, true},
		{KindRun, string(window), KindRevertWindow, 7, 0, false},
		{KindBackfill, string(backfill), KindBackfill, 5, 9, true},
	} {
		ri := RunInfo{Kind: c.kind, Schema: "s", Table: "t"}
		if err := readCheckpoint(context.Background(), oneCheckpoint{"ALTER", c.state}, &ri, "_t_chk"); err != nil {
			t.Fatal(err)
		}
		if ri.Kind != c.wantKind || ri.Rows != c.rows || ri.Covered != c.covered || ri.Done != c.done || !ri.Checkpointed.Equal(saved) {
			t.Errorf("%s checkpoint %s read as %+v", c.kind, c.state, ri)
		}
	}
}
