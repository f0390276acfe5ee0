package workload

import (
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// undoEntry remembers a model state changed tentatively inside a transaction.
type undoEntry struct {
	id  int64
	old state
}

// txn is one transaction of a worker. Its writes are applied to the model
// as they succeed (so later statements of the same transaction see them)
// and undone unless COMMIT is acknowledged.
type txn struct {
	wk     *worker
	tx     *sql.Tx
	undo   []undoEntry
	counts Stats
}

// errSkip means no statement was possible (partition empty and full).
var errSkip = errors.New("no operation possible")

func (wk *worker) runTxn() {
	start := time.Now()
	tx, err := wk.w.db.BeginTx(wk.run.ctx, nil)
	wk.rec.record(opBegin, start, time.Since(start))
	if err != nil {
		wk.report(wk.opError(opBegin, 0, start, err))
		return
	}
	t := &txn{wk: wk, tx: tx}
	n := 1 + wk.g.r.IntN(wk.w.opts.MaxTxRows)
	for range n {
		if err := t.step(); err != nil && !errors.Is(err, errSkip) {
			t.abort(err)
			return
		}
	}
	if wk.g.chance(wk.w.opts.RollbackRatio) {
		t.rollback()
		wk.stats.Rollbacks++
		return
	}
	t.commit()
}

func (wk *worker) opError(op opCode, id int64, start time.Time, err error) *OpError {
	return &OpError{Worker: wk.num, Op: op.String(), ID: id, Time: start, Latency: time.Since(start), Err: err}
}

// step runs one random statement. Updates and deletes need a live id,
// inserts and key changes a free one; each falls back to what is possible.
func (t *txn) step() error {
	wk := t.wk
	if wk.g.r.IntN(2) == 0 {
		if wk.g.chance(wk.w.opts.KeyChangeRatio) && !wk.w.plan.fixedKey {
			return t.keyChange()
		}
		return t.update()
	}
	if wk.g.r.Float64() < wk.part.liveFraction(int64(wk.w.opts.Workers), wk.run.keySpace) {
		return t.delete()
	}
	return t.insert()
}

func (t *txn) liveID() (int64, bool) { return t.wk.part.randomLive(t.wk.g.r) }

func (t *txn) freeID() (int64, bool) {
	return t.wk.part.randomFree(t.wk.g.r, int64(t.wk.w.opts.Workers), t.wk.run.keySpace)
}

// apply changes the model tentatively, remembering the old state.
func (t *txn) apply(id int64, s state) {
	t.undo = append(t.undo, undoEntry{id: id, old: t.wk.part.get(id)})
	t.wk.part.set(id, s)
}

// exec runs one statement that must change exactly one row.
func (t *txn) exec(op opCode, id int64, query string, args []any) error {
	start := time.Now()
	res, err := t.tx.ExecContext(t.wk.run.ctx, query, args...)
	t.wk.rec.record(op, start, time.Since(start))
	if err == nil {
		var n int64
		if n, err = res.RowsAffected(); err == nil && n != 1 {
			err = fmt.Errorf("%d rows affected, want 1 (model and table disagree)", n)
		}
	}
	if err != nil {
		oe := t.wk.opError(op, id, start, err)
		oe.SQL = query
		return oe
	}
	return nil
}

// abort rolls back after a failed statement. A duplicate on another UNIQUE
// index is an expected application-level rollback; anything else is
// reported.
func (t *txn) abort(err error) {
	t.rollback()
	var oe *OpError
	if t.wk.foreignDuplicate(err) {
		t.wk.stats.Rollbacks++
		t.wk.stats.DupRollbacks++
	} else if errors.As(err, &oe) {
		t.wk.report(oe)
	}
}

// rollback ends the transaction and restores the model.
func (t *txn) rollback() {
	start := time.Now()
	err := t.tx.Rollback()
	t.wk.rec.record(opRollback, start, time.Since(start))
	if err != nil && !errors.Is(err, sql.ErrTxDone) {
		t.wk.report(t.wk.opError(opRollback, 0, start, err))
	}
	for i := len(t.undo) - 1; i >= 0; i-- {
		t.wk.part.set(t.undo[i].id, t.undo[i].old)
	}
}

// commit keeps the tentative model changes if COMMIT is acknowledged. If it
// fails, the server may or may not have committed: every touched id is
// marked uncertain with its states before and after the transaction.
func (t *txn) commit() {
	start := time.Now()
	err := t.tx.Commit()
	t.wk.rec.record(opCommit, start, time.Since(start))
	if err == nil {
		t.counts.Commits = 1
		t.wk.stats.add(t.counts)
		return
	}
	t.wk.report(t.wk.opError(opCommit, 0, start, err))
	before := map[int64]state{}
	for _, u := range t.undo {
		if _, ok := before[u.id]; !ok {
			before[u.id] = u.old
		}
	}
	for id, old := range before {
		t.wk.part.markUncertain(id, old, t.wk.part.get(id))
	}
}
