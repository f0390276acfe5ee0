package applier

import "context"

// Pause stops the background flushes and waits for one in progress to end;
// the set grows unbounded until Resume, so the stream never blocks on it.
func (a *Applier) Pause() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.paused = true
	a.wake.Broadcast()
	for a.flushing {
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
// holds the cut-over locks). Call it only while paused.
func (a *Applier) Drain(ctx context.Context, resync ResyncFunc) error {
	for {
		a.mu.Lock()
		batch := a.keys.take(a.opts.BatchSize)
		a.mu.Unlock()
		if len(batch) == 0 {
			return ctx.Err()
		}
		if err := a.flush(ctx, resync, batch); err != nil {
			return err
		}
	}
}

// Busy says whether a flush is in progress.
func (a *Applier) Busy() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.flushing
}
