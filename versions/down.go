package versions

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/hotswap/hotswap/engine"
	"github.com/hotswap/hotswap/job"
)

// Down undoes the last cfg.Steps applied versions, newest first, by their
// down files, run the same way as up files (an ALTER TABLE of a big table
// online). A version without a down file is refused before anything runs.
//
// The newest version, when revertible (its up still serves, or was stopped
// in, the revert windows of its online statements: window.go), is reverted
// at once by swapping its old tables back, not by its down file.
func Down(ctx context.Context, cfg Config) error {
	r, err := open(ctx, cfg, false)
	if err != nil {
		return err
	}
	defer r.close()
	if rec, ok := r.newestRevertible(); ok {
		fmt.Fprintf(r.cfg.Out, "Reverting version %d (%s) in its revert window...\n", rec.Version, rec.Name)
		if err := r.revertInWindow(ctx, rec); err != nil {
			return err
		}
		if r.history[rec.Version].State != StateReverted { // its window was over: the down file reverts it
			fmt.Fprintf(r.cfg.Out, "The revert window of version %d (%s) was over: reverting it by its down file.\n", rec.Version, rec.Name)
		} else if r.cfg.Steps--; r.cfg.Steps == 0 {
			return nil
		}
	}
	if err := r.load(ctx, true); err != nil {
		return err
	}
	r.cfg.Online.RevertWindow = 0 // a down file's online statements run without one: up's windows are the way back
	todo, err := r.toUndo()
	if err != nil {
		return err
	}
	for _, v := range todo {
		rec := r.history[v.Number]
		if rec.State == StateApplied { // a fresh down: its own timing
			rec.Duration, rec.Started, rec.Finished = 0, time.Time{}, time.Time{}
		}
		fmt.Fprintf(r.cfg.Out, "Reverting version %d (%s)...\n", v.Number, v.Name)
		if err := r.applyFile(ctx, rec, v.Down, true); err != nil {
			return err
		}
		fmt.Fprintf(r.cfg.Out, "Version %d (%s) reverted.\n", v.Number, v.Name)
	}
	return nil
}

// toUndo lists the versions Down undoes, newest first: a down that failed
// or was killed first, then the last applied ones.
func (r *runner) toUndo() ([]Version, error) {
	var nums []uint64
	for n, rec := range r.history {
		if isApplied(rec.State) || rec.State == StateRunning || rec.State == StatePostponed || rec.State == StateFailed {
			nums = append(nums, n)
		}
	}
	slices.Sort(nums)
	slices.Reverse(nums)
	if len(nums) == 0 {
		return nil, job.Refuse("nothing to revert: no version is applied")
	}
	var out []Version
	for _, n := range nums[:min(r.cfg.Steps, len(nums))] {
		rec := r.history[n]
		v, ok := r.version(n)
		switch {
		case !ok:
			return nil, job.Refuse("version %d (%s) is %s, but the directory has no file for it: restore its files to revert it", n, rec.Name, rec.State)
		case !v.HasDown:
			return nil, job.Refuse("version %d (%s) is irreversible: it has no down file (add %04d_%s.down.sql to revert it)", n, v.Name, n, v.Name)
		case rec.State == StateRunning || rec.State == StatePostponed || rec.State == StateFailed:
			if p, _ := readProgress(rec.Steps); !p.Down {
				return nil, job.Refuse("version %d (%s) is %s: finish it with `hotswap migrate up` first, or record it with `hotswap migrate mark %d --state applied`", n, rec.Name, rec.State, n)
			}
		}
		out = append(out, v)
	}
	return out, nil
}

// revertInWindow reverts a revertible version: through the live up's
// sockets when that up holds the migrate lock, else by resuming its
// windows here.
func (r *runner) revertInWindow(ctx context.Context, rec engine.Record) error {
	got, err := r.lock(ctx)
	switch {
	case err != nil:
		return &job.Refused{Err: err}
	case !got:
		return r.revertLive(ctx, rec)
	}
	return r.settleWindows(ctx, rec, true)
}
