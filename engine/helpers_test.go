package engine

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/hotswap/hotswap/job"
	"github.com/hotswap/hotswap/schema"
)

// checkpointRow is a Checkpoints whose table holds a row or not.
type checkpointRow struct {
	Checkpoints
	found bool
}

func (c checkpointRow) LoadCheckpoint(context.Context) (string, string, bool, error) {
	return "", "", c.found, nil
}

// TestStartOverIfEmpty: a resume of a run killed before its first checkpoint
// starts over only with --execute (after dropping what it left); a dry run is
// refused and drops nothing; a checkpoint with a row is resumed as it is.
func TestStartOverIfEmpty(t *testing.T) {
	ctx := context.Background()
	var out bytes.Buffer
	dropped := 0
	drop := func(context.Context) error { dropped++; return nil }
	spec := Spec{TableName: "db.t", Out: &out}

	if started, err := StartOverIfEmpty(ctx, spec, checkpointRow{found: true}, drop); started || err != nil || dropped != 0 {
		t.Fatalf("with a checkpoint row: started %v, err %v, dropped %d", started, err, dropped)
	}
	if started, err := StartOverIfEmpty(ctx, spec, checkpointRow{}, drop); started || !job.IsRefused(err) || dropped != 0 {
		t.Fatalf("dry run: started %v, err %v, dropped %d", started, err, dropped)
	}
	spec.Execute = true
	if started, err := StartOverIfEmpty(ctx, spec, checkpointRow{}, drop); !started || err != nil || dropped != 1 {
		t.Fatalf("--execute: started %v, err %v, dropped %d", started, err, dropped)
	}
	if !strings.Contains(out.String(), "starting it over") {
		t.Fatalf("the user is not told: %q", out.String())
	}
	failing := func(context.Context) error { return errors.New("no privilege") }
	if _, err := StartOverIfEmpty(ctx, spec, checkpointRow{}, failing); err == nil || !strings.Contains(err.Error(), "no privilege") {
		t.Fatalf("a failed drop must stop the start-over: %v", err)
	}
}

// TestRefuseAndDropDropsFirst: the refusal comes after the shadow is gone;
// a failed drop is said, and the run is then not a clean refusal.
func TestRefuseAndDropDropsFirst(t *testing.T) {
	cause := errors.New("bad ALTER")
	dropped := false
	err := RefuseAndDrop(cause, func(context.Context) error { dropped = true; return nil })
	if !dropped || !job.IsRefused(err) || !errors.Is(err, cause) {
		t.Fatalf("dropped %v, err %v", dropped, err)
	}
	err = RefuseAndDrop(cause, func(context.Context) error { return errors.New("lost connection") })
	if job.IsRefused(err) || !strings.Contains(err.Error(), "dropping the shadow failed") {
		t.Fatalf("a failed drop: %v", err)
	}
}

// TestReservedTablesFollowTheirFlags: the shadow and checkpoint are dropped
// with --initially-drop-ghost-table, the old table (and, with a revert
// window, the reverted name) with --initially-drop-old-table.
func TestReservedTablesFollowTheirFlags(t *testing.T) {
	got := Spec{InitiallyDropOld: true}.ReservedTables(Plan{Shadow: "_t_new", Old: "_t_old", Checkpoint: "_t_chk", Reverted: "_t_rev"})
	want := []Reserved{{"_t_new", false, "--initially-drop-ghost-table"}, {"_t_chk", false, "--initially-drop-ghost-table"},
		{"_t_old", true, "--initially-drop-old-table"}, {"_t_rev", true, "--initially-drop-old-table"}}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("entry %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}

// TestPrintColumnMapNamesNewColumns: mapped columns are listed source ->
// new; a new column nothing maps to (any case) is said to be filled by the server.
func TestPrintColumnMapNamesNewColumns(t *testing.T) {
	var out bytes.Buffer
	PrintColumnMap(&out, []schema.ColumnPair{{Source: "id", Target: "ID"}, {Source: "n", Target: "m"}}, []string{"id", "m", "extra"})
	want := "Column map (source -> new):\n  id -> ID\n  n -> m\n  (new) extra: filled by its default or generation expression\n"
	if out.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", out.String(), want)
	}
}
