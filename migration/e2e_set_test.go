package migration_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hotswap/hotswap/engine"
	"github.com/hotswap/hotswap/migration"
)

// The set tests' tables: an order, its items and its payment, which the
// application writes in one transaction. Each row's side is its table's
// default when written (or updated); the ALTERs change that default from 1
// to 2, so side says whether a write went into an old table or a new one,
// and a transaction that saw one table old and another new leaves rows of
// both sides.
var setTables = []string{"orders", "items", "payments"}

const setFill = 3000 // rows per table before the run; the writers use ids above

func createSetTables(e engineEnv, tables []string) {
	for _, tb := range tables {
		e.exec(fmt.Sprintf("CREATE TABLE %s (id INT PRIMARY KEY, order_id INT NOT NULL, v INT NOT NULL, side INT NOT NULL DEFAULT 1)", tb),
			fmt.Sprintf("INSERT INTO %s (id, order_id, v) SELECT seq, seq, seq FROM %s", tb, e.seq(setFill)))
	}
}

// setAlters changes each table's side default to 2 and adds a column.
func setAlters(e engineEnv, tables []string) []engine.TableAlter {
	typ := map[string]string{"mysql": "VARCHAR(20)", "postgres": "varchar(20)"}[e.engine()]
	var out []engine.TableAlter
	for _, tb := range tables {
		out = append(out, engine.TableAlter{Table: tb, Clauses: "ALTER COLUMN side SET DEFAULT 2, ADD COLUMN note " + typ})
	}
	return out
}

// startSet runs a set in the background, as start runs one migration.
func startSet(t *testing.T, cfg migration.Config, alters []engine.TableAlter) (*migration.Set, chan error, *syncBuffer) {
	out := &syncBuffer{}
	cfg.Out = out
	if cfg.Engine == migration.EnginePostgres {
		for i := range alters {
			alters[i].Schema = "public"
		}
	}
	s := migration.NewSet(cfg, alters)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	t.Cleanup(cancel)
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	return s, done, out
}

// orderWriter is the application: each transaction inserts a new order with
// a row in every table, or updates an order it wrote before in every table
// (side back to the default), in a random table order. It keeps each
// order's last acknowledged v.
type orderWriter struct {
	db     *sql.DB
	tables []string
	ph     func(n int) string // the engine's n-th placeholder

	mu     sync.Mutex
	acked  map[int]int // order id -> v
	errs   []error
	commit int
}

func newOrderWriter(e engineEnv, tables []string) *orderWriter {
	ph := func(int) string { return "?" }
	if e.engine() == "postgres" {
		ph = func(n int) string { return fmt.Sprintf("$%d", n) }
	}
	return &orderWriter{db: e.writer(), tables: tables, ph: ph, acked: map[int]int{}}
}

// run writes until ctx ends, as worker w of n (ids w, w+n, ... above the fill).
func (o *orderWriter) run(ctx context.Context, w, n int) {
	rng := rand.New(rand.NewPCG(uint64(w), 7))
	mine := []int{}
	next := setFill + 1 + w
	for ctx.Err() == nil {
		id, v := next, rng.IntN(1000)
		insert := len(mine) == 0 || rng.IntN(2) == 0
		if !insert {
			id = mine[rng.IntN(len(mine))]
		}
		err := o.tx(id, v, insert, rng.Perm(len(o.tables)))
		o.mu.Lock()
		if err != nil {
			o.errs = append(o.errs, err)
		} else {
			o.acked[id] = v
			o.commit++
		}
		o.mu.Unlock()
		if err == nil && insert {
			mine = append(mine, id)
			next += n
		}
		time.Sleep(time.Duration(rng.IntN(4)) * time.Millisecond)
	}
}

func (o *orderWriter) tx(id, v int, insert bool, order []int) error {
	tx, err := o.db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, i := range order {
		q := fmt.Sprintf("UPDATE %s SET v = %s, side = DEFAULT WHERE id = %s", o.tables[i], o.ph(1), o.ph(2))
		args := []any{v, id}
		if insert {
			q = fmt.Sprintf("INSERT INTO %s (id, order_id, v) VALUES (%s, %s, %s)", o.tables[i], o.ph(1), o.ph(2), o.ph(3))
			args = []any{id, id, v}
		}
		if _, err := tx.Exec(q, args...); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return tx.Commit()
}

// check: no writer error; every acknowledged order in every table with its
// last v; no order whose rows are on different sides; rows on both sides
// (the check could fail); the fill's rows as the old tables hold them.
func (o *orderWriter) check(t *testing.T, e engineEnv) {
	t.Helper()
	if len(o.errs) > 0 {
		t.Fatalf("%d writer errors, first: %v", len(o.errs), o.errs[0])
	}
	for _, tb := range o.tables {
		rows := map[int]int{}
		r, err := e.writer().Query(fmt.Sprintf("SELECT order_id, v FROM %s WHERE id > %d", tb, setFill))
		if err != nil {
			t.Fatal(err)
		}
		for r.Next() {
			var id, v int
			if err := r.Scan(&id, &v); err != nil {
				t.Fatal(err)
			}
			rows[id] = v
		}
		r.Close()
		for id, v := range o.acked {
			if got, ok := rows[id]; !ok || got != v {
				t.Fatalf("%s: order %d acknowledged with v=%d, table has %d (present %v)", tb, id, v, got, ok)
			}
		}
		if n := e.scalar(fmt.Sprintf("SELECT COUNT(*) FROM _%s_old o LEFT JOIN %s n ON n.id = o.id WHERE o.id <= %d AND (n.id IS NULL OR n.v <> o.v OR n.side <> o.side OR n.order_id <> o.order_id)", tb, tb, setFill)); n != 0 {
			t.Fatalf("%s: %d rows of the fill differ from the old table's", tb, n)
		}
		if n := e.scalar(fmt.Sprintf("SELECT COUNT(*) FROM %s WHERE note IS NOT NULL", tb)); n != 0 {
			t.Fatalf("%s: the new column holds %d values", tb, n)
		}
	}
	first := o.tables[0]
	for _, tb := range o.tables[1:] {
		if n := e.scalar(fmt.Sprintf("SELECT COUNT(*) FROM %s a JOIN %s b ON b.order_id = a.order_id WHERE a.id > %d AND a.side <> b.side", first, tb, setFill)); n != 0 {
			t.Fatalf("%d transactions wrote %s and %s on different sides of the cut-over", n, first, tb)
		}
	}
	for side := 1; side <= 2; side++ {
		if n := e.scalar(fmt.Sprintf("SELECT COUNT(*) FROM %s WHERE id > %d AND side = %d", first, setFill, side)); n == 0 {
			t.Fatalf("no order written on side %d: the writers did not span the cut-over", side)
		}
	}
	t.Logf("writers: %d transactions acknowledged, 0 errors", o.commit)
}

// TestSetCutOverUnderTransactions alters two and three tables in one run
// while the application writes all of them in every transaction: each
// table ends with its new schema and every acknowledged write, and no
// transaction wrote some tables old and others new.
func TestSetCutOverUnderTransactions(t *testing.T) {
	for _, n := range []int{2, 3} {
		t.Run(fmt.Sprintf("%d-tables", n), func(t *testing.T) {
			forEachEngine(t, func(t *testing.T, e engineEnv) {
				tables := setTables[:n]
				createSetTables(e, tables)
				w := newOrderWriter(e, tables)
				ctx, stop := context.WithCancel(context.Background())
				var wg sync.WaitGroup
				for i := range 4 {
					wg.Go(func() { w.run(ctx, i, 4) })
				}
				defer func() { stop(); wg.Wait() }()
				time.Sleep(300 * time.Millisecond)
				cfg := e.config("", "")
				cfg.ChunkSize = 200
				_, done, out := startSet(t, cfg, setAlters(e, tables))
				if err := <-done; err != nil {
					t.Fatalf("set failed: %v\n%s", err, out.String())
				}
				time.Sleep(500 * time.Millisecond) // writes after the swap
				stop()
				wg.Wait()
				w.check(t, e)
				e.requireNoStreamLeftovers()
			})
		})
	}
}

// TestSetCutOverBlockedOnOneTable holds a transaction on one table of the
// set: no table switches while it is open (the attempts roll back whole),
// and all switch once it ends.
func TestSetCutOverBlockedOnOneTable(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engineEnv) {
		tables := setTables[:2]
		createSetTables(e, tables)
		cfg := e.config("", "")
		cfg.CutOverLockTimeout = time.Second
		cfg.SkipChecksum = true // its consistent point would wait on the blocker the same way
		cfg.PostponeFlagFile = flagFile(t)
		s, done, out := startSet(t, cfg, setAlters(e, tables))
		waitSetState(t, s, done, migration.StatePostponed)
		blocker, err := e.writer().BeginTx(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer blocker.Rollback()
		if _, err := blocker.Exec("UPDATE items SET v = v + 1 WHERE id = 1"); err != nil {
			t.Fatal(err)
		}
		os.Remove(cfg.PostponeFlagFile)
		waitSetState(t, s, done, migration.StateCuttingOver)
		time.Sleep(3500 * time.Millisecond) // several attempts fail meanwhile
		if st := s.Status(); st.State == migration.StateDone {
			t.Fatal("cut-over succeeded while a transaction held a table of the set")
		}
		if got := e.tables(); strings.Contains(got, "_orders_old") || strings.Contains(got, "_items_old") {
			t.Fatalf("a table switched while another was held: tables %s", got)
		}
		if err := blocker.Commit(); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatalf("set failed: %v\n%s", err, out.String())
		}
		for _, tb := range tables {
			if n := e.scalar("SELECT COUNT(*) FROM " + tb + " WHERE note IS NULL"); n != setFill {
				t.Fatalf("%s after the run: %d rows with the new column, want %d", tb, n, setFill)
			}
		}
		if n := e.scalar("SELECT COUNT(*) FROM items WHERE id = 1 AND v = 2"); n != 1 {
			t.Fatal("the blocker's committed update is not in the new items table")
		}
		e.requireNoStreamLeftovers()
	})
}

// TestSetRefusedBeforeAnyChange: one table of the set cannot be migrated
// (no such table), so none is touched.
func TestSetRefusedBeforeAnyChange(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engineEnv) {
		createSetTables(e, setTables[:1])
		before := e.tables()
		alters := setAlters(e, []string{"orders", "missing"})
		_, done, out := startSet(t, e.config("", ""), alters)
		err := <-done
		if !migration.IsRefused(err) || !strings.Contains(err.Error(), "missing") {
			t.Fatalf("want a refusal naming the missing table, got %v\n%s", err, out.String())
		}
		if after := e.tables(); after != before {
			t.Fatalf("a refused set changed the tables: %s -> %s", before, after)
		}
		e.requireNoStreamLeftovers()
	})
}

func waitSetState(t *testing.T, s *migration.Set, done chan error, state string) {
	t.Helper()
	deadline := time.After(5 * time.Minute)
	for s.Status().State != state {
		select {
		case err := <-done:
			t.Fatalf("set ended before %s: %v", state, err)
		case <-deadline:
			t.Fatalf("set never reached %s (state %s)", state, s.Status().State)
		case <-time.After(20 * time.Millisecond):
		}
	}
}
