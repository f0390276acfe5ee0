package migration

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/hotswap/hotswap/cutover"
)

// waitPostponed holds the cut-over while the postpone flag file exists; the
// stream and applier keep the shadow current meanwhile.
func (m *Migration) waitPostponed(ctx context.Context) error {
	f := m.cfg.PostponeFlagFile
	if f == "" || !exists(f) {
		return nil
	}
	m.setState(StatePostponed)
	m.cfg.Log.Info().Str("flag_file", f).Msg("cut-over postponed: delete the flag file to proceed")
	for exists(f) {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
	m.setState(StateApplying)
	return nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// cutOver tries the swap until it succeeds or the retries run out, backing
// off between attempts; a failed attempt leaves the original untouched.
func (m *Migration) cutOver(ctx context.Context) error {
	co := &cutover.MySQL{DB: m.db, Database: m.cfg.Conn.Database, Table: m.cfg.Table, Shadow: m.shadow, Old: m.old,
		LockTimeout: m.cfg.CutOverLockTimeout, Applier: m.applier, CatchUp: m.catchUp}
	var last error
	for attempt := 1; attempt <= m.cfg.DefaultRetries; attempt++ {
		if err := m.CaughtUp(ctx); err != nil {
			return err
		}
		m.setState(StateCuttingOver)
		t0 := time.Now()
		last = co.Attempt(ctx)
		if last == nil {
			m.swapped = true
			m.cfg.Log.Info().Int("attempt", attempt).Dur("held", time.Since(t0)).Msg("cut-over done")
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		backoff := time.Duration(min(attempt, 10)) * 500 * time.Millisecond
		m.cfg.Log.Warn().Err(last).Int("attempt", attempt).Dur("backoff", backoff).Msg("cut-over attempt failed; table untouched, retrying")
		m.setState(StateApplying)
		sleep(ctx, backoff)
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return fmt.Errorf("cut-over failed %d times (raise --default-retries or --cut-over-lock-timeout-seconds, or end the long transactions on the table): %w",
		m.cfg.DefaultRetries, last)
}

// progress logs a status line every few seconds.
func (m *Migration) progress(ctx context.Context) error {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			m.cfg.Log.Info().Str("state", m.State()).Int64("copied", m.copier.Copied()).Int64("estimated", m.estimate).
				Int("backlog", m.applier.Backlog()).Int64("applied", m.applier.Applied()).
				Dur("stream_lag", m.stream.Lag()).Dur("elapsed", time.Since(m.started).Round(time.Second)).Msg("progress")
		}
	}
}
