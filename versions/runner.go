package versions

import (
	"context"
	"fmt"
	"os"
	"slices"

	"github.com/hotswap/hotswap/engine"
	"github.com/hotswap/hotswap/job"
)

// States of a version in the history table.
const (
	StateRunning = "running"
	// StatePostponed: running, an online statement's cut-over waiting for
	// the postpone flag file to go.
	StatePostponed = "postponed"
	StateApplied   = "applied"
	StateFailed    = "failed"
	StateReverted  = "reverted"
	// StateRevertible: applied, with every statement's revert window open
	// (window.go): down swaps the old tables back at once.
	StateRevertible = "revertible"
	// StatePending is no record at all: shown by status, never stored.
	StatePending = "pending"
)

// isApplied says whether a version in this state is applied (revertible
// is applied, its revert windows open).
func isApplied(state string) bool { return state == StateApplied || state == StateRevertible }

// runner is one migrate command on one database: the directory's versions
// and the database's history.
type runner struct {
	cfg      Config
	db       engine.Database
	versions []Version
	history  map[uint64]engine.Record
	host     string
	windows  []*liveWindow // online runs in their revert window (window.go)
	locked   bool          // this command holds the migrate lock
}

// open loads the directory and the history; with lock (a command that
// changes the database), it takes the database's migrate lock first (one
// migrate at a time changes it) and creates the history table if missing.
func open(ctx context.Context, cfg Config, lock bool) (*runner, error) {
	cfg.defaults()
	vs, err := Load(cfg.Dir)
	if err != nil {
		return nil, &job.Refused{Err: err}
	}
	db, err := engine.OpenDatabase(ctx, cfg.Engine, cfg.Conn, cfg.Schema)
	if err != nil {
		return nil, &job.Refused{Err: err}
	}
	r := &runner{cfg: cfg, db: db, versions: vs, history: map[uint64]engine.Record{}}
	r.host, _ = os.Hostname()
	if err := r.load(ctx, lock); err != nil {
		db.Close()
		return nil, err
	}
	return r, nil
}

func (r *runner) load(ctx context.Context, lock bool) error {
	if lock { // a command that changes the database
		got, err := r.lock(ctx)
		if err != nil {
			return &job.Refused{Err: err}
		}
		if !got {
			return job.Refuse("another hotswap migrate is running on this database: wait for it to end")
		}
		if err := r.db.EnsureHistory(ctx); err != nil {
			return &job.Refused{Err: err}
		}
	}
	recs, err := r.db.History(ctx)
	if err != nil {
		return &job.Refused{Err: err}
	}
	for _, rec := range recs {
		r.history[rec.Version] = rec
	}
	return nil
}

// lock takes the database's migrate lock, once.
func (r *runner) lock(ctx context.Context) (bool, error) {
	if r.locked {
		return true, nil
	}
	got, err := r.db.Lock(ctx)
	r.locked = got
	return got, err
}

func (r *runner) close() { r.db.Close() }

// version finds a version of the directory.
func (r *runner) version(n uint64) (Version, bool) {
	i := slices.IndexFunc(r.versions, func(v Version) bool { return v.Number == n })
	if i < 0 {
		return Version{}, false
	}
	return r.versions[i], true
}

// save records rec, also in the runner's own copy of the history.
func (r *runner) save(ctx context.Context, rec engine.Record) error {
	rec.Hotswap, rec.Host = r.cfg.Hotswap, r.host
	if err := r.db.Save(context.WithoutCancel(ctx), rec); err != nil {
		return err
	}
	r.history[rec.Version] = rec
	return nil
}

// drift lists what makes the directory and the history disagree: a file
// changed after its version was applied, a version recorded that the
// directory lacks.
func (r *runner) drift() []string {
	var out []string
	for n, rec := range r.history {
		v, ok := r.version(n)
		switch {
		case !ok && rec.State != StateReverted:
			out = append(out, fmt.Sprintf("version %d (%s) is recorded as %s, but the directory has no file for it", n, rec.Name, rec.State))
		case ok && rec.Checksum != v.Checksum && isApplied(rec.State):
			out = append(out, fmt.Sprintf("version %d (%s) was changed after it was applied (checksum %.12s, the file now %.12s)", n, rec.Name, rec.Checksum, v.Checksum))
		}
	}
	slices.Sort(out)
	return out
}
