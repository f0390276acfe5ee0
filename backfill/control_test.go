package backfill_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hotswap/hotswap/control"
	"github.com/hotswap/hotswap/throttle"
)

// TestBackfillPauseResumeViaSocket: `pause` on the control socket stops the
// chunks (status says so, no row changes while paused), chunk-size= is
// taken live, `resume` lets the backfill finish with the rows a single
// UPDATE makes.
func TestBackfillPauseResumeViaSocket(t *testing.T) {
	for _, newEnv := range engines {
		e := newEnv(t)
		t.Run(e.engine, func(t *testing.T) {
			e.t = t
			e.people(20000)
			cfg := e.config()
			cfg.ServeSocketFile = filepath.Join(t.TempDir(), "bf.sock")
			cfg.ChunkSize = 100
			cfg.Throttle = throttle.NewSettings()
			cfg.Throttle.Set("nice-ratio", "2")
			run := start(cfg)
			send := func(line string) string {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				reply, err := control.Send(ctx, cfg.ServeSocketFile, line)
				if err != nil {
					t.Fatalf("%s: %v", line, err)
				}
				return reply
			}
			type status struct {
				State       string `json:"state"`
				Throttled   bool   `json:"throttled"`
				Reason      string `json:"throttle_reason"`
				RowsChanged int64  `json:"rows_changed"`
			}
			get := func() status {
				var st status
				if err := json.Unmarshal([]byte(send("status-json")), &st); err != nil {
					t.Fatal(err)
				}
				return st
			}
			eventually(t, "rows changed", func() bool { return run.b.Status().RowsChanged > 1000 })
			send("pause")
			eventually(t, "paused", func() bool { st := get(); return st.Throttled && strings.Contains(st.Reason, "manual") })
			before := settle(t, "paused", func() int64 { return get().RowsChanged }) // the chunks in flight end
			time.Sleep(700 * time.Millisecond)
			if after := get().RowsChanged; after != before || e.nulls() != 18000-before {
				t.Fatalf("rows changed while paused: %d, then %d (table: %d left)", before, after, e.nulls())
			}
			if reply := send("chunk-size=500"); !strings.Contains(strings.ToLower(reply), "ok") && reply != "" {
				t.Logf("chunk-size reply: %q", reply)
			}
			if got := send("chunk-size=?"); got != "500" {
				t.Fatalf("chunk-size after setting it: %q", got)
			}
			send("resume")
			if err := run.wait(t); err != nil {
				t.Fatal(err)
			}
			e.sameAsSingleUpdate(20000)
		})
	}
}
