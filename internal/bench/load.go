package main

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The load's transactions, one autocommit statement each, sysbench
// oltp_write_only-like: point updates of the indexed and of a non-indexed
// column, point deletes and inserts.
const (
	opUpdateK = iota
	opUpdateC
	opDelete
	opInsert
)

var opNames = [...]string{"update_k", "update_c", "delete", "insert"}

// write is one transaction of the load, timed from the load's start: due is
// when the fixed-rate schedule wanted it, start and end when it really ran.
// end - start is its latency; end - due includes the time it waited behind
// writes that were stalled.
type write struct {
	due, start, end time.Duration
	op              uint8
	failed          bool
}

func (w write) latency() time.Duration { return w.end - w.start }
func (w write) delay() time.Duration   { return w.end - w.due }

// maxErrorTexts bounds the error messages kept.
const maxErrorTexts = 5

// load is the steady write load: threads goroutines share one schedule of
// rate transactions per second (open loop: a stalled write does not slow the
// schedule; the writes that fall behind run as soon as a goroutine is free).
type load struct {
	db    *sql.DB
	stmts writeSQL
	rows  int
	rate  int64
	base  time.Time

	next     atomic.Int64 // next slot of the schedule
	stopping atomic.Bool
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	once     sync.Once

	mu       sync.Mutex
	done     []write
	errCount int64
	errTexts []string
}

func startLoad(ctx context.Context, db *sql.DB, stmts writeSQL, rows, rate, threads int) *load {
	ctx, cancel := context.WithCancel(ctx)
	l := &load{db: db, stmts: stmts, rows: rows, rate: int64(rate), cancel: cancel, base: time.Now()}
	seed := uint64(time.Now().UnixNano())
	for i := range threads {
		l.wg.Add(1)
		go l.worker(ctx, rand.New(rand.NewPCG(seed, uint64(i))))
	}
	return l
}

func (l *load) worker(ctx context.Context, rng *rand.Rand) {
	defer l.wg.Done()
	var mine []write
	defer func() {
		l.mu.Lock()
		l.done = append(l.done, mine...)
		l.mu.Unlock()
	}()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for !l.stopping.Load() {
		n := l.next.Add(1) - 1
		due := time.Duration(n * int64(time.Second) / l.rate)
		if wait := due - time.Since(l.base); wait > 0 {
			timer.Reset(wait)
			select {
			case <-ctx.Done():
				return
			case <-timer.C:
			}
			if l.stopping.Load() {
				return
			}
		}
		w := write{due: due, start: time.Since(l.base)}
		var err error
		w.op, err = l.do(ctx, rng)
		w.end = time.Since(l.base)
		if err != nil && ctx.Err() != nil {
			return // cut short by stop or Ctrl-C: not the database's doing
		}
		if err != nil {
			w.failed = true
			l.mu.Lock()
			l.errCount++
			if len(l.errTexts) < maxErrorTexts {
				l.errTexts = append(l.errTexts, fmt.Sprintf("%s at %.2fs: %v", opNames[w.op], w.start.Seconds(), err))
			}
			l.mu.Unlock()
		}
		mine = append(mine, w)
	}
}

// do runs one transaction: 40% k updates, 30% c updates, 15% deletes, 15%
// inserts; ids are drawn from the loaded rows.
func (l *load) do(ctx context.Context, rng *rand.Rand) (uint8, error) {
	id := 1 + rng.IntN(l.rows)
	var err error
	switch p := rng.IntN(100); {
	case p < 40:
		_, err = l.db.ExecContext(ctx, l.stmts.updateK, id)
		return opUpdateK, err
	case p < 70:
		_, err = l.db.ExecContext(ctx, l.stmts.updateC, sysbenchString(rng, 10), id)
		return opUpdateC, err
	case p < 85:
		_, err = l.db.ExecContext(ctx, l.stmts.del, id)
		return opDelete, err
	default:
		_, err = l.db.ExecContext(ctx, l.stmts.insert, 1+rng.IntN(l.rows), sysbenchString(rng, 10), sysbenchString(rng, 5))
		return opInsert, err
	}
}

// sysbenchString is sysbench's c/pad value: groups of 11 digits joined by
// '-' (10 groups: 119 characters, 5 groups: 59).
func sysbenchString(rng *rand.Rand, groups int) string {
	var b strings.Builder
	b.Grow(groups * 12)
	for g := range groups {
		if g > 0 {
			b.WriteByte('-')
		}
		for range 11 {
			b.WriteByte(byte('0' + rng.IntN(10)))
		}
	}
	return b.String()
}

// stop ends the load, letting each goroutine finish the write it is running
// (for 15 s at most, then they are cancelled), and returns every write done,
// by start time, with the error count and the first error texts.
func (l *load) stop() (writes []write, errCount int64, errTexts []string) {
	l.once.Do(func() {
		l.stopping.Store(true)
		finished := make(chan struct{})
		go func() { l.wg.Wait(); close(finished) }()
		select {
		case <-finished:
		case <-time.After(15 * time.Second):
			l.cancel()
			<-finished
		}
		l.cancel()
	})
	l.mu.Lock()
	defer l.mu.Unlock()
	slices.SortFunc(l.done, func(a, b write) int { return cmp.Compare(a.start, b.start) })
	return l.done, l.errCount, l.errTexts
}
