package applier

import (
	"context"
	"errors"
	"sync"
)

// Run flushes with Options.Workers goroutines until ctx ends, and returns
// once they all have. A flush error (or a throttler that fails while ctx
// lives) stops every worker and is returned; an ended ctx returns nil.
func (a *Applier) Run(ctx context.Context) error {
	if !a.setRunning(true) {
		// Two Runs would give each partition two workers.
		return errors.New("applier: Run is already running")
	}
	defer a.setRunning(false)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	for p := range a.parts {
		wg.Go(func() {
			if err := a.work(ctx, p); err != nil {
				once.Do(func() { first = err })
				cancel()
			}
		})
	}
	wg.Wait()
	return first
}

func (a *Applier) setRunning(on bool) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if on && a.running {
		return false
	}
	a.running = on
	return true
}

// work is worker p: it flushes partition p's keys, one batch at a time.
func (a *Applier) work(ctx context.Context, p int) error {
	for ctx.Err() == nil {
		if a.opts.Wait != nil {
			if err := a.opts.Wait(ctx); err != nil {
				return liveErr(ctx, err) // nil when ctx ended while throttled
			}
		}
		batch, fly, since := a.begin(p)
		if batch == nil {
			sleep(ctx, a.opts.Interval)
			continue
		}
		err := a.flush(ctx, a.online, a.opts.Ready, batch, p, since)
		a.end(fly)
		if err != nil {
			return liveErr(ctx, err)
		}
	}
	return nil
}

// liveErr is err unless ctx has ended (then the error is only its echo).
func liveErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// begin takes a batch of partition p unless paused, held or empty, and marks a
// flush in progress. Taking keys makes room for an Add waiting at MaxKeys.
// fly is the flush's ticket for end, since its keys' oldest epoch.
func (a *Applier) begin(p int) (batch [][]any, fly int64, since uint64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.paused || a.held || a.parts[p].len() == 0 {
		return nil, 0, 0
	}
	a.active++
	a.wake.Broadcast()
	batch, since = a.parts[p].take(a.size)
	return batch, a.flyLocked(since), since
}

func (a *Applier) end(fly int64) {
	a.mu.Lock()
	a.active--
	delete(a.flying, fly)
	a.wake.Broadcast()
	a.mu.Unlock()
}
