package versions

import (
	"context"
	"fmt"
	"time"

	"github.com/hotswap/hotswap/engine"
	"github.com/hotswap/hotswap/job"
)

// Mark records version n as state (applied or reverted) without running
// anything: after a version was finished, or undone, by hand. It clears a
// failed or killed version that blocks the ones after it.
func Mark(ctx context.Context, cfg Config, n uint64, state string) error {
	if state != StateApplied && state != StateReverted {
		return job.Refuse("--state %q: want applied or reverted", state)
	}
	r, err := open(ctx, cfg, true)
	if err != nil {
		return err
	}
	defer r.close()
	rec, seen := r.history[n]
	v, inDir := r.version(n)
	switch {
	case !seen && !inDir:
		return job.Refuse("version %d is neither in the directory nor in the history", n)
	case inDir:
		rec.Name, rec.Checksum = v.Name, v.Checksum // the file as it is now is what is recorded
	}
	now := time.Now().UTC()
	if rec.Started.IsZero() {
		rec.Started = now
	}
	rec = engine.Record{Version: n, Name: rec.Name, Checksum: rec.Checksum, State: state, Started: rec.Started,
		Finished: now, Duration: rec.Duration, Rows: rec.Rows, Error: "marked " + state + " by hand"}
	if err := r.save(ctx, rec); err != nil {
		return err
	}
	fmt.Fprintf(r.cfg.Out, "Version %d (%s) recorded as %s.\n", n, rec.Name, state)
	return nil
}
