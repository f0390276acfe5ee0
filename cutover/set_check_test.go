package cutover

import (
	"database/sql"
	"sync"
	"sync/atomic"
	"testing"
)

// The set tests' writers and checks, for both engines. Each table's shadow
// has one more column, side: 'old' for a row the catch-up copied from the
// old table, 'new' for one the application wrote after the swap.

// setWriter commits transactions that write one row into every table of a
// set, all with the transaction's number, and remembers those acknowledged.
type setWriter struct {
	stop  chan struct{}
	wg    sync.WaitGroup
	acked sync.Map // tx -> true
	errs  atomic.Int64
	first atomic.Value
}

func startSetWriter(writers int, write func(tx int64) error) *setWriter {
	w := &setWriter{stop: make(chan struct{})}
	var next atomic.Int64
	for range writers {
		w.wg.Go(func() {
			for {
				select {
				case <-w.stop:
					return
				default:
				}
				tx := next.Add(1)
				if err := write(tx); err != nil {
					if w.errs.Add(1) == 1 {
						w.first.Store(err)
					}
					continue
				}
				w.acked.Store(tx, true)
			}
		})
	}
	return w
}

func (w *setWriter) halt() {
	select {
	case <-w.stop:
	default:
		close(w.stop)
	}
	w.wg.Wait()
}

// checkSetRows stops the writers and checks, after the cut-over: no writer
// saw an error; every table has its new definition; every acknowledged
// transaction is in every table; no transaction's rows went into a mix of
// old and new tables (its rows have one side in every table); and the
// writers wrote both before and after the swap.
func (w *setWriter) checkSetRows(t *testing.T, db *sql.DB, tables []string) {
	t.Helper()
	w.halt()
	if n := w.errs.Load(); n > 0 {
		t.Fatalf("the writers saw %d errors (first: %v)", n, w.first.Load())
	}
	sides := map[int64]string{}
	counts := map[string]int{}
	for _, tb := range tables {
		rows, err := db.Query("SELECT tx, side FROM " + tb)
		if err != nil {
			t.Fatalf("%s has not its new definition: %v", tb, err)
		}
		n := 0
		for rows.Next() {
			var tx int64
			var side string
			if err := rows.Scan(&tx, &side); err != nil {
				t.Fatal(err)
			}
			n++
			counts[side]++
			if prev, ok := sides[tx]; ok && prev != side {
				t.Errorf("transaction %d wrote its row of %s into the %s table and another into the %s one", tx, tb, side, prev)
			}
			sides[tx] = side
		}
		rows.Close()
		acked := 0
		w.acked.Range(func(tx, _ any) bool {
			acked++
			if _, ok := sides[tx.(int64)]; !ok {
				t.Errorf("acknowledged transaction %d is not in %s", tx, tb)
			}
			return true
		})
		if n != acked {
			t.Errorf("%s has %d rows, %d transactions were acknowledged", tb, n, acked)
		}
	}
	if counts["old"] == 0 || counts["new"] == 0 {
		t.Fatalf("the writers did not write both before and after the swap: %v", counts)
	}
	t.Logf("rows: %v", counts)
}
