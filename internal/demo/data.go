package main

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// writer is the application: updates, inserts and deletes at a steady rate.
type writer struct {
	writes atomic.Int64
	errs   atomic.Int64
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
}

// startLoad runs write (one application write) from 4 goroutines, each every
// 10ms, until stop or ctx ends.
func startLoad(ctx context.Context, rows int, write func(ctx context.Context, rows int) error) *writer {
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
				if err := write(ctx, rows); err != nil && ctx.Err() == nil {
					w.errs.Add(1)
				} else if err == nil {
					w.writes.Add(1)
				}
			}
		}()
	}
	return w
}

// stop ends the load and returns the number of writes done.
func (w *writer) stop() int64 {
	w.once.Do(func() { w.cancel(); w.wg.Wait() })
	return w.writes.Load()
}

// tableSum is a table's row count and an order-independent checksum.
type tableSum struct {
	rows, checksum int64
}

// compare prints the comparison of the original (old) and the new table and
// fails unless they hold the same rows.
func compare(oldName string, old tableSum, newName string, cur tableSum, diff int64, w *writer) error {
	fmt.Printf("    %-14s rows %-9d checksum %d\n    %-14s rows %-9d checksum %d\n    rows missing or different: %d; application writes during the run: %d (errors: %d)\n",
		oldName, old.rows, old.checksum, newName, cur.rows, cur.checksum, diff, w.writes.Load(), w.errs.Load())
	if old != cur || diff != 0 {
		return fmt.Errorf("tables differ")
	}
	step("identical: every row of the original is in the new table")
	return nil
}
