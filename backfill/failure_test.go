package backfill_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/hotswap/hotswap/backfill"
)

// TestBackfillFailureKeepsCheckpoint: a chunk the server rejects (division by
// zero on one row) fails the backfill with the server's error; the chunks
// before it stay committed, the rest untouched, and the output says how to
// resume; the checkpoint table stays for that resume.
func TestBackfillFailureKeepsCheckpoint(t *testing.T) {
	for _, newEnv := range engines {
		e := newEnv(t)
		t.Run(e.engine, func(t *testing.T) {
			e.t = t
			e.people(20000)
			cfg := e.config()
			cfg.Set = "full_name = 'x', v = 100 / (id - 15001)"
			cfg.ChunkSize = 500
			var out bytes.Buffer
			cfg.Out = &out
			err := start(cfg).wait(t)
			// PostgreSQL: division by zero; MariaDB: the NULL it yields for v NOT NULL
			if err == nil || backfill.IsRefused(err) || !strings.Contains(err.Error(), "chunk") {
				t.Fatalf("want a failure with the server's error, got %v", err)
			}
			if !strings.Contains(out.String(), "FAILED") || !strings.Contains(out.String(), "--resume") {
				t.Fatalf("the output does not say how to resume:\n%s", out.String())
			}
			if n := e.scalar("SELECT count(*) FROM t WHERE full_name = 'x' AND id > 15001"); n != 0 {
				t.Fatalf("%d rows past the failing chunk changed", n)
			}
			if n := e.scalar("SELECT count(*) FROM t WHERE full_name = 'x'"); n < 10000 {
				t.Fatalf("only %d rows before the failing chunk were changed", n)
			}
			if !strings.Contains(strings.Join(e.tables(), ","), "_t_bf") {
				t.Fatalf("the checkpoint table is gone: %s", e.tables())
			}
		})
	}
}
