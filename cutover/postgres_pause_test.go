package cutover

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"testing"
)

// fakeApplier records the pauses a cut-over makes.
type fakeApplier struct {
	mu              sync.Mutex
	paused          bool
	pauses, resumes int
}

func (f *fakeApplier) Pause() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.paused, f.pauses = true, f.pauses+1
}

func (f *fakeApplier) Resume() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.paused, f.resumes = false, f.resumes+1
}

func (f *fakeApplier) isPaused() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.paused
}

// TestPostgresAttemptPausesApplier: the applier is paused while the
// catch-up runs under the lock, and resumed once the attempt ends, whether
// it swapped the tables or rolled back.
func TestPostgresAttemptPausesApplier(t *testing.T) {
	for name, fail := range map[string]error{"swapped": nil, "rolled back": errors.New("stream broke")} {
		t.Run(name, func(t *testing.T) {
			db := pgCutOverDB(t, pgCutOverFixture...)
			a := &fakeApplier{}
			cut := pgCutOver(db, func(ctx context.Context, lock *sql.Conn) error {
				if !a.isPaused() {
					return errors.New("catch-up while the applier runs")
				}
				if err := pgCopyRest(ctx, lock); err != nil {
					return err
				}
				return fail
			})
			cut.Applier = a
			if err := cut.Attempt(context.Background()); !errors.Is(err, fail) {
				t.Fatalf("Attempt = %v, want %v", err, fail)
			}
			if a.paused || a.pauses != 1 || a.resumes != 1 {
				t.Fatalf("after the attempt: paused %v, %d pauses, %d resumes; want resumed after one pause", a.paused, a.pauses, a.resumes)
			}
		})
	}
}
