package applier

import "context"

// Pause stops the background flushes and waits for those in progress (on
// every worker) to end; the set grows unbounded until Resume, so the stream
// never blocks on it.
func (a *Applier) Pause() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.paused = true
	a.wake.Broadcast() // an Add waiting at MaxKeys goes on
	for a.active > 0 {
		a.wake.Wait()
	}
}

// Resume lets background flushes go on.
func (a *Applier) Resume() {
	a.mu.Lock()
	a.paused = false
	a.wake.Broadcast()
	a.mu.Unlock()
}

// Drain resyncs every pending key with resync (e.g. on the connection that
// holds the cut-over locks). Call it only while paused. It runs serially:
// resync may use one connection, which takes one statement at a time; each
// batch is exclusive (flush.go), so it is safe even against a worker.
func (a *Applier) Drain(ctx context.Context, resync ResyncFunc) error {
	a.mu.Lock()
	a.draining++
	a.mu.Unlock()
	defer func() {
		a.mu.Lock()
		a.draining--
		a.wake.Broadcast()
		a.mu.Unlock()
	}()
	for {
		a.mu.Lock()
		batch, since := a.takeAnyLocked(a.size)
		fly := a.flyLocked(since)
		a.wake.Broadcast()
		a.mu.Unlock()
		if len(batch) == 0 {
			a.landed(fly)
			return ctx.Err()
		}
		err := a.flush(ctx, resync, nil, batch, -1, since)
		a.landed(fly)
		if err != nil {
			return err
		}
	}
}

// Busy says whether a flush (a worker's or a Drain's) is in progress.
func (a *Applier) Busy() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.active > 0 || a.draining > 0
}
