package main

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

func load(ctx context.Context, db *sql.DB, rows int) error {
	step("creating demo.orders with %d rows", rows)
	stmts := []string{
		`CREATE TABLE demo.orders (id BIGINT PRIMARY KEY AUTO_INCREMENT, customer INT NOT NULL, amount DECIMAL(10,2),
			status VARCHAR(16), note VARCHAR(100), created DATETIME(3)) DEFAULT CHARSET=utf8mb4`,
	}
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	const batch = 100_000
	for lo := 0; lo < rows; lo += batch {
		n := min(batch, rows-lo)
		q := fmt.Sprintf(`INSERT INTO demo.orders (customer, amount, status, note, created)
			SELECT seq %% 50000, (seq %% 100000) / 100, ELT(1 + seq %% 3, 'new', 'paid', 'shipped'),
				CONCAT('order ', seq, ' ✓'), '2026-01-01' + INTERVAL seq SECOND FROM seq_1_to_%d`, n)
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("load rows: %w", err)
		}
		fmt.Printf("    loaded %d rows\n", lo+n)
	}
	return nil
}

// writer is the application: updates, inserts and deletes at a steady rate.
type writer struct {
	writes atomic.Int64
	errs   atomic.Int64
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
}

func startLoad(ctx context.Context, db *sql.DB, rows int) *writer {
	ctx, cancel := context.WithCancel(ctx)
	w := &writer{cancel: cancel}
	for i := 0; i < 4; i++ {
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			tick := time.NewTicker(10 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
				}
				if err := writeOne(ctx, db, rows); err != nil && ctx.Err() == nil {
					w.errs.Add(1)
				} else if err == nil {
					w.writes.Add(1)
				}
			}
		}()
	}
	return w
}

func writeOne(ctx context.Context, db *sql.DB, rows int) error {
	id := 1 + rand.IntN(rows)
	var err error
	switch rand.IntN(10) {
	case 0:
		_, err = db.ExecContext(ctx, "DELETE FROM demo.orders WHERE id = ?", id)
	case 1, 2:
		_, err = db.ExecContext(ctx, "INSERT INTO demo.orders (customer, amount, status, note, created) VALUES (?, ?, 'new', 'live write', NOW(3))",
			rand.IntN(50000), rand.IntN(100000))
	default:
		_, err = db.ExecContext(ctx, "UPDATE demo.orders SET amount = amount + 1, status = 'paid' WHERE id = ?", id)
	}
	return err
}

// stop ends the load and returns the number of writes done.
func (w *writer) stop() int64 {
	w.once.Do(func() { w.cancel(); w.wg.Wait() })
	return w.writes.Load()
}

// report shows the new schema and compares old and new tables.
func report(db *sql.DB, w *writer) error {
	var name, ddl string
	if err := db.QueryRow("SHOW CREATE TABLE demo.orders").Scan(&name, &ddl); err != nil {
		return err
	}
	step("new schema of demo.orders")
	fmt.Println(ddl)
	step("comparing demo._orders_old (the original) with demo.orders (the new table)")
	cols := "id, customer, amount, status, note, created"
	sum := func(table string) (n int64, crc int64, err error) {
		err = db.QueryRow(fmt.Sprintf("SELECT COUNT(*), COALESCE(BIT_XOR(CRC32(CONCAT_WS('|', %s))), 0) FROM demo.%s", cols, table)).Scan(&n, &crc)
		return
	}
	n1, c1, err := sum("_orders_old")
	if err != nil {
		return err
	}
	n2, c2, err := sum("orders")
	if err != nil {
		return err
	}
	var diff int64
	q := `SELECT COUNT(*) FROM demo._orders_old o LEFT JOIN demo.orders n ON n.id = o.id
		WHERE n.id IS NULL OR NOT (o.customer <=> n.customer AND o.amount <=> n.amount AND o.status <=> n.status
		AND o.note <=> n.note AND o.created <=> n.created)`
	if err := db.QueryRow(q).Scan(&diff); err != nil {
		return err
	}
	fmt.Printf("    %-14s rows %-9d checksum %d\n    %-14s rows %-9d checksum %d\n    rows missing or different: %d; application writes during the run: %d (errors: %d)\n",
		"_orders_old", n1, c1, "orders", n2, c2, diff, w.writes.Load(), w.errs.Load())
	if n1 != n2 || c1 != c2 || diff != 0 {
		return fmt.Errorf("tables differ")
	}
	step("identical: every row of the original is in the new table")
	return nil
}
