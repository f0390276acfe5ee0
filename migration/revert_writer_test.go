package migration_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"
)

// keyWriter is the application of the revert tests: workers insert, update,
// delete and move keys of t (id, v) through both cut-overs, each on ids of
// its own, and record what the server acknowledged, so that the table the
// application ends on can be compared with every acknowledged write.
type keyWriter struct {
	db     *sql.DB
	pg     bool
	stop   chan struct{}
	wg     sync.WaitGroup
	mu     sync.Mutex
	rows   map[int64]int64 // id -> v, as acknowledged
	born   map[int64]bool  // ids inserted since the start
	moved  map[int64]bool  // ids a key update moved a row to
	errs   []error
	writes int
}

const keyWriters = 2

// startKeyWriter writes t, whose rows 1..initial exist, until stopped.
func startKeyWriter(t *testing.T, e engineEnv, initial int) *keyWriter {
	w := &keyWriter{db: e.writer(), pg: e.engine() == "postgres", stop: make(chan struct{}),
		rows: map[int64]int64{}, born: map[int64]bool{}, moved: map[int64]bool{}}
	for id := int64(1); id <= int64(initial); id++ {
		w.rows[id] = id
	}
	for n := range keyWriters {
		var mine []int64
		for id := int64(1); id <= int64(initial); id++ {
			if id%keyWriters == int64(n) {
				mine = append(mine, id)
			}
		}
		w.wg.Go(func() { w.work(n, mine) })
	}
	t.Cleanup(w.halt)
	return w
}

func (w *keyWriter) sql(q string) string {
	if !w.pg {
		return q
	}
	for i := 1; strings.Contains(q, "?"); i++ {
		q = strings.Replace(q, "?", fmt.Sprintf("$%d", i), 1)
	}
	return q
}

// work runs one worker's writes on its ids (mine) and the new ids it makes.
func (w *keyWriter) work(n int, mine []int64) {
	rng := rand.New(rand.NewPCG(uint64(n), uint64(time.Now().UnixNano())))
	next := int64(1_000_000 + n)
	newID := func() int64 { next += keyWriters; return next }
	for {
		select {
		case <-w.stop:
			return
		case <-time.After(2 * time.Millisecond):
		}
		var err error
		switch op := rng.IntN(10); {
		case op < 3 || len(mine) == 0:
			id, v := newID(), rng.Int64N(1_000_000)
			if err = w.exec("INSERT INTO t (id, v) VALUES (?, ?)", id, v); err == nil {
				mine = append(mine, id)
				w.ack(func() { w.rows[id], w.born[id] = v, true })
			}
		case op < 7:
			id, v := mine[rng.IntN(len(mine))], rng.Int64N(1_000_000)
			if err = w.exec("UPDATE t SET v = ? WHERE id = ?", v, id); err == nil {
				w.ack(func() { w.rows[id] = v })
			}
		case op < 9:
			i := rng.IntN(len(mine))
			id := mine[i]
			if err = w.exec("DELETE FROM t WHERE id = ?", id); err == nil {
				mine = append(mine[:i], mine[i+1:]...)
				w.ack(func() { delete(w.rows, id) })
			}
		default:
			i := rng.IntN(len(mine))
			from, to := mine[i], newID()
			if err = w.exec("UPDATE t SET id = ? WHERE id = ?", to, from); err == nil {
				mine[i] = to
				w.ack(func() { w.rows[to], w.moved[to] = w.rows[from], true; delete(w.rows, from) })
			}
		}
		if err != nil {
			w.mu.Lock()
			w.errs = append(w.errs, err)
			w.mu.Unlock()
		}
	}
}

func (w *keyWriter) exec(q string, args ...any) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := w.db.ExecContext(ctx, w.sql(q), args...)
	return err
}

func (w *keyWriter) ack(f func()) {
	w.mu.Lock()
	defer w.mu.Unlock()
	f()
	w.writes++
}

func (w *keyWriter) halt() {
	select {
	case <-w.stop:
	default:
		close(w.stop)
	}
	w.wg.Wait()
}

// stopAndCheck stops the writers and fails the test on any write error, or
// if table's rows differ from the acknowledged writes in any way.
func (w *keyWriter) stopAndCheck(t *testing.T, table string) {
	t.Helper()
	w.halt()
	if len(w.errs) > 0 {
		t.Fatalf("the application saw %d errors (first: %v)", len(w.errs), w.errs[0])
	}
	if w.writes == 0 {
		t.Fatal("the writers acknowledged nothing")
	}
	got := map[int64]int64{}
	rows, err := w.db.Query("SELECT id, v FROM " + table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, v int64
		if err := rows.Scan(&id, &v); err != nil {
			t.Fatal(err)
		}
		got[id] = v
	}
	var bad []string
	for id, v := range w.rows {
		if g, ok := got[id]; !ok || g != v {
			bad = append(bad, fmt.Sprintf("id %d: acknowledged v=%d, table has %d (present %v)", id, v, g, ok))
		}
	}
	for id := range got {
		if _, ok := w.rows[id]; !ok {
			bad = append(bad, fmt.Sprintf("id %d: in the table, but deleted or moved by an acknowledged write", id))
		}
	}
	if len(bad) > 0 {
		t.Fatalf("%s differs from the %d acknowledged writes in %d rows, e.g.:\n%s", table, w.writes, len(bad), strings.Join(bad[:min(10, len(bad))], "\n"))
	}
	t.Logf("%d acknowledged writes, all in %s (%d rows)", w.writes, table, len(got))
}

// requireKept checks the old table's column the ALTER dropped (legacy): rows
// there from the start keep 'L<id>', rows inserted since have the column's
// default 'none'. A row moved to a new key keeps its value if it moved in
// the old table, and gets the default if it moved in the new one (the key is
// what ties a row of one table to a row of the other): not checked.
func (w *keyWriter) requireKept(t *testing.T, e engineEnv, table string) {
	t.Helper()
	rows, err := w.db.Query("SELECT id, legacy FROM " + table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id int64
		var legacy sql.NullString
		if err := rows.Scan(&id, &legacy); err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf("L%d", id)
		switch {
		case w.moved[id]:
			continue
		case w.born[id]:
			want = "none"
		}
		if legacy.String != want {
			t.Fatalf("%s id %d: legacy %q, want %q (inserted since the start: %v)", table, id, legacy.String, want, w.born[id])
		}
		n++
	}
	t.Logf("legacy checked on %d rows", n)
}
