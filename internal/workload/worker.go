package workload

import (
	"context"
	"errors"
	"sync/atomic"
	"time"
)

// run is one Start..Stop cycle.
type run struct {
	ctx       context.Context // statements' context: the Start ctx, cancelled by Stop after StopGrace
	cancel    context.CancelFunc
	stop      chan struct{} // closed by Stop: finish the current transaction and exit
	done      chan struct{} // one send per exiting worker
	forced    atomic.Bool   // Stop cancelled in-flight statements
	errs      errorSink
	limiter   *limiter
	workers   []*worker
	keySpace  int64
	startedAt time.Time
}

// worker runs transactions against the ids of its own partition.
type worker struct {
	w     *Workload
	run   *run
	num   int
	part  *partition
	g     *gen
	rec   *recorder
	stats Stats // read by Stop only after the worker has exited
}

func (wk *worker) loop() {
	defer func() { wk.run.done <- struct{}{} }()
	for {
		select {
		case <-wk.run.stop:
			return
		case <-wk.run.ctx.Done():
			return
		default:
		}
		if !wk.run.limiter.wait(wk.run.ctx, wk.run.stop) {
			return
		}
		wk.runTxn()
	}
}

// report records an unexpected error unless the caller's context ended it:
// a test that cancels its own context is not interested in the fallout.
func (wk *worker) report(e *OpError) {
	if wk.run.ctx.Err() != nil {
		if !wk.run.forced.Load() {
			return
		}
		e.Err = errors.Join(e.Err, errors.New("statement cancelled by Stop after StopGrace"))
	}
	wk.run.errs.add(e)
}

// foreignDuplicate reports whether err is a duplicate-key error on a UNIQUE
// index other than the row key: a random value collided with a live row,
// which the application would handle by rolling back.
func (wk *worker) foreignDuplicate(err error) bool {
	return wk.w.d.foreignDuplicate(err, wk.w.plan.key.index)
}
