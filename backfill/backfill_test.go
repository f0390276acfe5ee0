package backfill_test

import (
	"os"
	"strconv"
	"testing"
	"time"
)

// TestBackfillMatchesSingleUpdate: a backfill of a big table (1 M rows;
// HOTSWAP_BACKFILL_ROWS resizes it) under concurrent writes leaves exactly
// the rows a single UPDATE makes of a twin table, compared row by row, and
// the writers never saw an error.
func TestBackfillMatchesSingleUpdate(t *testing.T) {
	rows := 1_000_000
	if n, err := strconv.Atoi(os.Getenv("HOTSWAP_BACKFILL_ROWS")); err == nil && n > 0 {
		rows = n
	}
	for _, newEnv := range engines {
		e := newEnv(t)
		t.Run(e.engine, func(t *testing.T) {
			e.t = t
			e.people(rows)
			w := e.startWriters(rows, 2)
			cfg := e.config()
			cfg.Threads = 2
			t0 := time.Now()
			if err := start(cfg).wait(t); err != nil {
				t.Fatal(err)
			}
			took := time.Since(t0)
			w.end(t)
			e.sameAsSingleUpdate(rows)
			if n := e.scalar("SELECT count(*) FROM t WHERE id > " + strconv.Itoa(rows) + " AND full_name <> 'nf nl'"); n != 0 {
				t.Fatalf("%d rows the writers inserted were changed", n)
			}
			t.Logf("%s: %d rows backfilled in %s with %d concurrent writes", e.engine, rows, took.Round(time.Millisecond), w.commits.Load())
		})
	}
}
