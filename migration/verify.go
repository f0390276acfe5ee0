package migration

import (
	"context"
	"fmt"
	"time"

	"github.com/hotswap/hotswap/checksum"
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
	m.setState(StateVerifying)
	for pass := 1; pass <= 2; pass++ {
		t0 := time.Now()
		res, err := m.checksumOnce(ctx)
		if err != nil {
			return err
		}
		m.cfg.Log.Info().Int("pass", pass).Int("chunks", res.Chunks).Int("differing", len(res.Diffs)).
			Dur("took", time.Since(t0)).Msg("checksum")
		if len(res.Diffs) == 0 {
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

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// checksumOnce opens the engine's consistent point (retrying, with
// back-off, while writers can't be held within the lock timeout) and
// compares every chunk.
func (m *Migration) checksumOnce(ctx context.Context) (checksum.Result, error) {
	var snaps []checksum.Snapshot
	var closeSnaps func()
	var err error
	for attempt := 1; ; attempt++ {
		if snaps, closeSnaps, err = m.eng.checksumPoint(ctx); err == nil {
			break
		}
		if attempt == m.cfg.DefaultRetries || ctx.Err() != nil {
			return checksum.Result{}, fmt.Errorf("checksum: no consistent point after %d attempts: %w", attempt, err)
		}
		m.cfg.Log.Warn().Err(err).Int("attempt", attempt).Msg("checksum point not reached; retrying")
		sleep(ctx, time.Duration(min(attempt, 10))*500*time.Millisecond)
	}
	defer closeSnaps()
	return checksum.Compare(ctx, snaps, m.checksumChunk(), maxDiffs)
}

// checksumChunk is the rows per checksum chunk: ten copy chunks (a compare
// reads both tables but writes nothing), at most 100,000.
func (m *Migration) checksumChunk() int {
	return min(10*m.copier.ChunkSize(), 100_000)
}
