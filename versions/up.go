package versions

import (
	"context"
	"fmt"
	"strings"

	"github.com/hotswap/hotswap/engine"
	"github.com/hotswap/hotswap/job"
)

// Up applies the pending versions in order, up to cfg.To. A version left
// running (a killed migrate) or failed is continued first, at the statement
// it stopped at. Drift (an applied file changed, a recorded version the
// directory lacks) refuses the run before anything changes.
func Up(ctx context.Context, cfg Config) error {
	r, err := open(ctx, cfg, true)
	if err != nil {
		return err
	}
	defer r.close()
	defer r.closeWindows() // none outlives up (holdWindows waits for them)
	if d := r.drift(); len(d) > 0 {
		return job.Refuse("the directory and the history of this database disagree:\n  %s\nrestore the files, or record what was done with `hotswap migrate mark`", strings.Join(d, "\n  "))
	}
	if err := r.refuseUnsafe(ctx); err != nil { // safe by default: lint.go
		return err
	}
	for _, rec := range r.history { // an up killed in its windows: they close now
		if rec.State == StateRevertible {
			if err := r.settleWindows(ctx, rec, false); err != nil {
				return err
			}
		}
	}
	applied, last := 0, uint64(0)
	for _, v := range r.versions {
		if r.cfg.To != 0 && v.Number > r.cfg.To {
			break
		}
		rec, seen := r.history[v.Number]
		if seen && isApplied(rec.State) {
			continue
		}
		if !seen || rec.State == StateReverted {
			rec = engine.Record{Version: v.Number, Name: v.Name, Checksum: v.Checksum}
		}
		if rec.Checksum != v.Checksum {
			return job.Refuse("version %d (%s) is %s, and its file changed since it started: restore the file it started with, or record what was done with `hotswap migrate mark %d --state applied` (or reverted)",
				v.Number, v.Name, rec.State, v.Number)
		}
		fmt.Fprintf(r.cfg.Out, "Applying version %d (%s)...\n", v.Number, v.Name)
		if p, _ := readProgress(rec.Steps); p.Down && rec.State != StateReverted {
			return job.Refuse("version %d (%s) stopped while it was being reverted (%s): finish that with `hotswap migrate down`, or record it with `hotswap migrate mark %d --state applied` (or reverted)",
				v.Number, v.Name, rec.State, v.Number)
		}
		if err := r.applyFile(ctx, rec, v.Up, false); err != nil {
			return err
		}
		fmt.Fprintf(r.cfg.Out, "Version %d (%s) applied in %s.\n", v.Number, v.Name, r.history[v.Number].Duration.Round(1e6))
		applied, last = applied+1, v.Number
	}
	if applied == 0 {
		fmt.Fprintln(r.cfg.Out, "Nothing to apply: the database is at the latest version.")
		return nil
	}
	return r.holdWindows(ctx, r.history[last])
}
