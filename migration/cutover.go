package migration

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/hotswap/hotswap/engine"
	"github.com/hotswap/hotswap/hooks"
	"github.com/hotswap/hotswap/job"
)

// waitPostponed holds the cut-over while the postpone flag file exists and
// no unpostpone command came; the stream and applier keep the shadow current.
func (m *Migration) waitPostponed(ctx context.Context) error {
	f := m.cfg.PostponeFlagFile
	if f == "" || !job.Exists(f) || m.unpostponed.Load() {
		return nil
	}
	m.SetState(StatePostponed)
	m.cfg.Log.Info().Str("flag_file", f).Msg("cut-over postponed: delete the flag file or send unpostpone to proceed")
	if err := m.Hook(ctx, hooks.OnBeginPostponed, nil); err != nil {
		return err
	}
	for job.Exists(f) && !m.unpostponed.Load() {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	m.SetState(StateApplying)
	return nil
}

// waitStreamCaughtUp holds a cut-over attempt until the binlog reader is
// within max-lag-millis of the server: the catch-up under the lock must be short.
func (m *Migration) waitStreamCaughtUp(ctx context.Context) error {
	for {
		limit, err := m.cfg.Throttle.Get("max-lag-millis")
		ms, _ := strconv.ParseInt(limit, 10, 64)
		if err != nil || m.streamLag() <= time.Duration(ms)*time.Millisecond {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// cutOver tries the swap until it succeeds or the retries run out, backing
// off between attempts; a failed attempt leaves the original untouched. A
// member of a set hands over to the set (set_group.go).
func (m *Migration) cutOver(ctx context.Context) (err error) {
	if m.group != nil {
		return m.group.cutOver(ctx, m)
	}
	if m.cfg.RevertWindow > 0 {
		if err := m.eng.PrepareReverse(ctx); err != nil {
			return fmt.Errorf("prepare the revert window: %w", err)
		}
		defer func() {
			if !m.swapped {
				m.dropReverse()
			}
		}()
	}
	return m.retryCutOver(ctx, []*Migration{m}, m.eng.CutOverAttempt)
}

// retryCutOver runs attempt, which swaps the tables of runs (m among them)
// at once, until it succeeds or m's retries run out; before each attempt
// every run is nearly caught up, so the catch-up under the lock is short.
func (m *Migration) retryCutOver(ctx context.Context, runs []*Migration, attempt func(context.Context) error) error {
	var last error
	for n := 1; n <= m.cfg.DefaultRetries; n++ {
		for _, r := range runs {
			if err := r.readyToLock(ctx); err != nil {
				return err
			}
		}
		setState(runs, StateCuttingOver)
		t0 := time.Now()
		last = attempt(ctx)
		for _, r := range runs {
			r.cutOvers.Add(1)
			r.lastCutOver.Store(int64(time.Since(t0)))
		}
		if last == nil {
			for _, r := range runs {
				r.swapped = true
			}
			m.cfg.Log.Info().Int("attempt", n).Int("tables", len(runs)).Dur("held", time.Since(t0)).Msg("cut-over done")
			return nil
		}
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		var final engine.NoRetry
		if errors.As(last, &final) {
			return last // retrying cannot help (e.g. objects bound to the table): stop before swapping
		}
		backoff := time.Duration(min(n, 10)) * 500 * time.Millisecond
		m.cfg.Log.Warn().Err(last).Int("attempt", n).Dur("backoff", backoff).Msg("cut-over attempt failed; tables untouched, retrying")
		setState(runs, StateApplying)
		job.Sleep(ctx, backoff)
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
	}
	return fmt.Errorf("cut-over failed %d times (raise --default-retries or --cut-over-lock-timeout-seconds, or end the long transactions on the table): %w",
		m.cfg.DefaultRetries, last)
}

// readyToLock waits until the stream is within max-lag-millis and the
// backlog is small: what the lock then holds the writers for.
func (m *Migration) readyToLock(ctx context.Context) error {
	if err := m.waitStreamCaughtUp(ctx); err != nil {
		return err
	}
	if err := m.nearlyCaughtUp(ctx); err != nil {
		return err
	}
	return m.fewKeysLeft(ctx)
}

func setState(runs []*Migration, state string) {
	for _, r := range runs {
		r.SetState(state)
	}
}

// dropReverse undoes PrepareReverse when no cut-over followed it.
func (m *Migration) dropReverse() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := m.eng.DropReverse(ctx); err != nil {
		m.cfg.Log.Error().Err(err).Msg("could not drop what the revert window had prepared")
	}
}
