package versions

import (
	"context"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
	"time"
)

// ErrDrift is Status's error when the directory and the history disagree
// (the command exits 1).
type ErrDrift struct{ Drift []string }

func (e *ErrDrift) Error() string {
	return fmt.Sprintf("%d drift finding(s): the directory and the history of this database disagree", len(e.Drift))
}

// Status prints every version, of the directory and of the history, with
// its state; then what is pending and any drift (an *ErrDrift).
func Status(ctx context.Context, cfg Config) error {
	r, err := open(ctx, cfg, false)
	if err != nil {
		return err
	}
	defer r.close()
	out := r.cfg.Out
	current, pending := r.position()
	fmt.Fprintf(out, "Current version: %s; %d pending.\n\n", current, pending)
	r.printVersions(out)
	if d := r.drift(); len(d) > 0 {
		fmt.Fprintf(out, "\nDrift:\n")
		for _, line := range d {
			fmt.Fprintf(out, "  %s\n", line)
		}
		return &ErrDrift{Drift: d}
	}
	return nil
}

// position is the highest version applied ("none") and how many of the
// directory's versions are not applied.
func (r *runner) position() (current string, pending int) {
	current = "none"
	for _, v := range r.versions {
		if rec, ok := r.history[v.Number]; ok && isApplied(rec.State) {
			current = fmt.Sprintf("%d (%s)", v.Number, v.Name)
		} else {
			pending++
		}
	}
	return current, pending
}

// printVersions is the table of versions: the directory's and those only
// the history has.
func (r *runner) printVersions(out io.Writer) {
	nums := map[uint64]string{}
	for _, v := range r.versions {
		nums[v.Number] = v.Name
	}
	for n, rec := range r.history {
		if _, ok := nums[n]; !ok {
			nums[n] = rec.Name
		}
	}
	var order []uint64
	for n := range nums {
		order = append(order, n)
	}
	slices.Sort(order)
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tNAME\tSTATE\tFINISHED\tDURATION\tROWS COPIED")
	for _, n := range order {
		rec, ok := r.history[n]
		state, finished, took := StatePending, "", ""
		if ok {
			state = rec.State
			if !rec.Finished.IsZero() {
				finished = rec.Finished.Local().Format(time.DateTime)
				took = rec.Duration.Round(time.Millisecond).String()
			}
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\n", n, nums[n], state, finished, took, rec.Rows)
	}
	tw.Flush()
}
