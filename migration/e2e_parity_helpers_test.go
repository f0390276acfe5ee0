package migration_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/hotswap/hotswap/internal/workload"
	"github.com/hotswap/hotswap/migration"
)

// parityRun is an ALTER run under the random workload with the cut-over
// postponed: the workload stops while the cut-over waits, every row of source
// and shadow is compared (over the source key, after the renames), then the
// run cuts over and every row of the old and new tables is compared again, and
// the workload's acknowledged writes are checked.
type parityRun struct {
	alter   string
	rows    int
	key     []string // the row key, the same names before and after (default id)
	renames map[string]string
}

func (p parityRun) run(t *testing.T, e *env) {
	t.Helper()
	key := p.key
	if key == nil {
		key = []string{"id"}
	}
	w := newWorkload(t, e, p.rows, workload.Options{Workers: 3, Rate: 400})
	w.Start(context.Background())
	cfg := e.config("t", p.alter)
	cfg.PostponeFlagFile = flagFile(t)
	run := e.start(cfg)
	run.waitState(t, migration.StatePostponed)
	time.Sleep(300 * time.Millisecond) // changes keep flowing while postponed
	requireNoErrors(t, w.Stop())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := run.m.CaughtUp(ctx); err != nil {
		t.Fatal(err)
	}
	e.compare("t", run.m.ShadowName(), key, e.mappedColumns("t", run.m.ShadowName(), p.renames))
	os.Remove(cfg.PostponeFlagFile)
	run.wait(t)
	e.compare("_t_old", "t", key, e.mappedColumns("_t_old", "t", p.renames))
	if err := w.Check(ctx, e.admin, "t"); err != nil {
		t.Fatalf("acknowledged writes: %v", err)
	}
}
