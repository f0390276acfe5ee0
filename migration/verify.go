package migration

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hotswap/hotswap/checksum"
	"github.com/hotswap/hotswap/engine"
	"github.com/hotswap/hotswap/job"
)

// maxDiffs bounds the differing keys one checksum pass collects.
const maxDiffs = 10000

// verify compares source and shadow at one moment. Differing rows are
// resynced and checked once more at a new moment; rows that still differ
// fail the run, naming the first key.
func (m *Migration) verify(ctx context.Context) error {
	if m.cfg.SkipChecksum {
		m.cfg.Log.Warn().Msg("checksum skipped (--skip-checksum)")
		return nil
	}
	m.SetState(StateVerifying)
	for pass := 1; pass <= 2; pass++ {
		t0 := time.Now()
		if err := m.fewKeysLeft(ctx); err != nil {
			return err
		}
		res, err := m.checksumOnce(ctx)
		if err != nil {
			return err
		}
		m.differing.Store(int64(len(res.Diffs)))
		m.cfg.Log.Info().Int("pass", pass).Int("chunks", res.Chunks).Int("keys", res.Keys).Int("differing", len(res.Diffs)).
			Dur("took", time.Since(t0)).Msg("checksum")
		if len(res.Diffs) == 0 {
			m.applier.StopRecording()
			return nil
		}
		if pass == 2 {
			return fmt.Errorf("checksum: %d rows of %s still differ from the shadow after resyncing them (first differing key %v): the copy cannot be trusted, so the run stops before the cut-over",
				len(res.Diffs), m.cfg.Table, res.Diffs[0])
		}
		m.cfg.Log.Warn().Int("rows", len(res.Diffs)).Interface("first_key", res.Diffs[0]).Msg("checksum found differing rows; resyncing them")
		if err := m.applier.Add(ctx, res.Diffs); err != nil {
			return err
		}
		if err := m.nearlyCaughtUp(ctx); err != nil {
			return err
		}
	}
	return nil
}

// checksumOnce opens the engine's consistent point and compares every chunk.
func (m *Migration) checksumOnce(ctx context.Context) (checksum.Result, error) {
	snaps, closeSnaps, err := m.openPoint(ctx, m.eng.ChecksumPoint)
	if err != nil {
		return checksum.Result{}, err
	}
	defer closeSnaps()
	return checksum.CompareRest(ctx, snaps, m.pointRest(), m.checksumChunk(), maxDiffs, &m.checksummed)
}

// openPoint opens a consistent point, retrying with back-off while writers
// can't be held within the lock timeout; an engine.NoRetry ends it at once.
func (m *Migration) openPoint(ctx context.Context, open engine.PointFunc) ([]checksum.Snapshot, func(), error) {
	for attempt := 1; ; attempt++ {
		snaps, closeSnaps, err := open(ctx)
		if err == nil {
			return snaps, closeSnaps, nil
		}
		var final engine.NoRetry
		if attempt >= m.cfg.DefaultRetries || ctx.Err() != nil || errors.As(err, &final) {
			return nil, nil, fmt.Errorf("checksum: no consistent point after %d attempts: %w", attempt, err)
		}
		m.cfg.Log.Warn().Err(err).Int("attempt", attempt).Msg("checksum point not reached; retrying")
		job.Sleep(ctx, time.Duration(min(attempt, 10))*500*time.Millisecond)
	}
}

// checksumChunk is the rows per checksum chunk: ten copy chunks (a compare
// reads both tables but writes nothing), at most 100,000.
func (m *Migration) checksumChunk() int {
	return min(10*m.copier.ChunkSize(), 100_000)
}
