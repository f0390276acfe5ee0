package versions_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hotswap/hotswap/versions"
)

// TestMigrateVersionSwitchesTablesTogether: a version whose online ALTERs
// of two tables follow one another switches both in one cut-over, while
// the application writes both in every transaction: none of its
// transactions wrote one table old and the other new (side is each
// table's default, changed by the version), and every acknowledged write
// is there. A third ALTER, of a table already in the run, runs after it on
// its own (here in place).
func TestMigrateVersionSwitchesTablesTogether(t *testing.T) {
	forEachTarget(t, func(t *testing.T, tg *target) {
		create := ""
		for _, tb := range []string{"orders", "items"} {
			create += fmt.Sprintf("CREATE TABLE %s (id BIGINT PRIMARY KEY, v INT NOT NULL, side INT NOT NULL DEFAULT 1);\n", tb) +
				fmt.Sprintf("INSERT INTO %s (id, v) SELECT seq, seq FROM %s;\n%s;\n", tb, tg.seq("5000"), fmt.Sprintf(tg.analyze, tb))
		}
		dir := writeDir(t, map[string]string{
			"0001_tables.up.sql": create,
			"0002_both.up.sql": "ALTER TABLE orders " + tg.widen + ", ALTER COLUMN side SET DEFAULT 2;\n" +
				"ALTER TABLE items " + tg.widen + ", ALTER COLUMN side SET DEFAULT 2;\n" +
				"ALTER TABLE orders ADD COLUMN note INT;\n",
		})
		cfg, out := tg.config(t, dir)
		cfg.To = 1
		if err := versions.Up(context.Background(), cfg); err != nil {
			t.Fatalf("up to 1: %v\n%s", err, out)
		}
		plan, pout := tg.config(t, dir)
		if err := versions.Plan(context.Background(), plan); err != nil || !strings.Contains(pout.String(), "lines 1, 2, online one after another: their tables switch together") {
			t.Fatalf("plan: %v\n%s", err, pout)
		}
		w := &pairWriter{tg: tg}
		ctx, stop := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for i := range 2 {
			wg.Go(func() { w.run(ctx, i) })
		}
		defer func() { stop(); wg.Wait() }()
		time.Sleep(200 * time.Millisecond)
		cfg, out = tg.config(t, dir)
		if err := versions.Up(context.Background(), cfg); err != nil {
			t.Fatalf("up: %v\n%s", err, out)
		}
		if !strings.Contains(out.String(), "lines 1, 2 run together") {
			t.Fatalf("the two ALTERs did not run together:\n%s", out)
		}
		time.Sleep(300 * time.Millisecond)
		stop()
		wg.Wait()
		w.check(t)
		steps := tg.text(t, "SELECT steps FROM hotswap_migrations WHERE version = 2")
		if strings.Count(steps, `"method":"online"`) != 2 || strings.Count(steps, `"method":"instant"`) != 1 || strings.Count(steps, `"done":true`) != 3 {
			t.Fatalf("version 2's steps: %s", steps)
		}
		if n := tg.scalar(t, "SELECT COUNT(note) FROM orders"); n != 0 {
			t.Fatalf("orders.note holds %d values", n)
		}
	})
}

// pairWriter writes orders and items in one transaction: a new id into
// both, or an update of one of its ids in both, side back to the default.
type pairWriter struct {
	tg     *target
	mu     sync.Mutex
	acked  map[int64]int64
	errs   []error
	commit int
}

func (w *pairWriter) run(ctx context.Context, worker int) {
	ph := func(n int) string { return "?" }
	if w.tg.engine == "postgres" {
		ph = func(n int) string { return fmt.Sprintf("$%d", n) }
	}
	var mine []int64
	for i := int64(1); ctx.Err() == nil; i++ {
		id, insert := 100_000+2*i+int64(worker), len(mine) == 0 || i%3 != 0
		if !insert {
			id = mine[i%int64(len(mine))]
		}
		err := func() error {
			tx, err := w.tg.db.Begin()
			if err != nil {
				return err
			}
			defer tx.Rollback()
			for _, tb := range []string{"items", "orders"} {
				q, args := fmt.Sprintf("UPDATE %s SET v = %s, side = DEFAULT WHERE id = %s", tb, ph(1), ph(2)), []any{i, id}
				if insert {
					q, args = fmt.Sprintf("INSERT INTO %s (id, v) VALUES (%s, %s)", tb, ph(1), ph(2)), []any{id, i}
				}
				if _, err := tx.Exec(q, args...); err != nil {
					return err
				}
			}
			return tx.Commit()
		}()
		w.mu.Lock()
		if err != nil {
			w.errs = append(w.errs, err)
		} else {
			if w.acked == nil {
				w.acked = map[int64]int64{}
			}
			w.acked[id] = i
			w.commit++
		}
		w.mu.Unlock()
		if err == nil && insert {
			mine = append(mine, id)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func (w *pairWriter) check(t *testing.T) {
	t.Helper()
	if len(w.errs) > 0 {
		t.Fatalf("%d writer errors, first: %v", len(w.errs), w.errs[0])
	}
	for _, tb := range []string{"orders", "items"} {
		for id, v := range w.acked {
			if got := w.tg.scalar(t, fmt.Sprintf("SELECT COALESCE(MAX(v), -1) FROM %s WHERE id = %d", tb, id)); got != v {
				t.Fatalf("%s id %d: v=%d, acknowledged %d", tb, id, got, v)
			}
		}
	}
	if n := w.tg.scalar(t, "SELECT COUNT(*) FROM orders o JOIN items i ON i.id = o.id WHERE o.id > 100000 AND o.side <> i.side"); n != 0 {
		t.Fatalf("%d transactions wrote orders and items on different sides of the cut-over", n)
	}
	for side := 1; side <= 2; side++ {
		if n := w.tg.scalar(t, fmt.Sprintf("SELECT COUNT(*) FROM orders WHERE id > 100000 AND side = %d", side)); n == 0 {
			t.Fatalf("no transaction on side %d: the writers did not span the cut-over", side)
		}
	}
	t.Logf("%d transactions acknowledged, 0 errors", w.commit)
}
