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
// off between attempts; a failed attempt leaves the original untouched.
func (m *Migration) cutOver(ctx context.Context) (err error) {
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
	var last error
	for attempt := 1; attempt <= m.cfg.DefaultRetries; attempt++ {
		if err := m.waitStreamCaughtUp(ctx); err != nil {
			return err
		}
		if err := m.nearlyCaughtUp(ctx); err != nil {
			return err
		}
		if err := m.fewKeysLeft(ctx); err != nil {
			return err
		}
		m.SetState(StateCuttingOver)
		t0 := time.Now()
		last = m.eng.CutOverAttempt(ctx)
		if last == nil {
			m.swapped = true
			m.cfg.Log.Info().Int("attempt", attempt).Dur("held", time.Since(t0)).Msg("cut-over done")
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var final engine.NoRetry
		if errors.As(last, &final) {
			return last // retrying cannot help (e.g. objects bound to the table): stop before swapping
		}
		backoff := time.Duration(min(attempt, 10)) * 500 * time.Millisecond
		m.cfg.Log.Warn().Err(last).Int("attempt", attempt).Dur("backoff", backoff).Msg("cut-over attempt failed; table untouched, retrying")
		m.SetState(StateApplying)
		job.Sleep(ctx, backoff)
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return fmt.Errorf("cut-over failed %d times (raise --default-retries or --cut-over-lock-timeout-seconds, or end the long transactions on the table): %w",
		m.cfg.DefaultRetries, last)
}

// dropReverse undoes PrepareReverse when no cut-over followed it.
func (m *Migration) dropReverse() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := m.eng.DropReverse(ctx); err != nil {
		m.cfg.Log.Error().Err(err).Msg("could not drop what the revert window had prepared")
	}
}
