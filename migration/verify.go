package migration

import (
	"context"
	"fmt"
	"time"
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
		res, err := m.eng.checksumOnce(ctx)
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

// checksumChunk is the rows per checksum chunk: ten copy chunks (a compare
// reads both tables but writes nothing), at most 100,000.
func (m *Migration) checksumChunk() int {
	return min(10*m.copier.ChunkSize(), 100_000)
}
