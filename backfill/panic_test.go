package backfill_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hotswap/hotswap/control"
	"github.com/hotswap/hotswap/job"
	"github.com/hotswap/hotswap/throttle"
)

// TestBackfillPanicKeepsCheckpointForResume: the panic command on the socket
// stops a backfill under way with job.ErrPanic (not a refusal); the output
// says how to resume and the checkpoint table stays; a --resume then
// finishes with the rows a single UPDATE makes.
func TestBackfillPanicKeepsCheckpointForResume(t *testing.T) {
	for _, newEnv := range engines {
		e := newEnv(t)
		t.Run(e.engine, func(t *testing.T) {
			e.t = t
			e.people(20000)
			cfg := e.config()
			cfg.ServeSocketFile = filepath.Join(t.TempDir(), "bf.sock")
			cfg.ChunkSize = 100
			cfg.Throttle = throttle.NewSettings()
			cfg.Throttle.Set("nice-ratio", "2") // slow enough that the panic comes mid-way
			var out bytes.Buffer
			cfg.Out = &out
			run := start(cfg)
			eventually(t, "rows changed", func() bool { return run.b.Status().RowsChanged > 1000 })
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if _, err := control.Send(ctx, cfg.ServeSocketFile, "panic"); err != nil {
				t.Fatalf("panic: %v", err)
			}
			err := run.wait(t)
			if !errors.Is(err, job.ErrPanic) || job.IsRefused(err) {
				t.Fatalf("want the panic as the backfill's error, got %v", err)
			}
			if !strings.Contains(out.String(), "--resume") {
				t.Fatalf("the output does not say how to resume:\n%s", out.String())
			}
			if !strings.Contains(strings.Join(e.tables(), ","), "_t_bf") {
				t.Fatalf("the checkpoint table is gone: %s", e.tables())
			}
			if e.nulls() == 0 {
				t.Fatal("the backfill finished before the panic: nothing left to resume")
			}
			resume := e.config()
			resume.Resume = true
			if err := start(resume).wait(t); err != nil {
				t.Fatalf("--resume after the panic: %v", err)
			}
			e.sameAsSingleUpdate(20000)
		})
	}
}
