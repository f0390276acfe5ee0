package migration

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/hotswap/hotswap/checksum"
	"github.com/hotswap/hotswap/dialect/mysql"
)

// maxDiffs bounds the differing keys one checksum pass collects.
const maxDiffs = 10000

// catchUp brings the shadow level with the source while lock holds the
// table's writers: drain the stream to the binlog end read under the lock,
// then resync every pending key with plain reads (no writer is left).
func (m *Migration) catchUp(ctx context.Context, lock *sql.Conn) error {
	pos, err := mysql.MasterPos(ctx, lock)
	if err != nil {
		return err
	}
	if err := m.stream.WaitFor(ctx, pos); err != nil {
		return fmt.Errorf("drain stream while writes are held: %w", err)
	}
	return m.applier.Drain(ctx, m.rows.ResyncWritesBlocked)
}

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
		if err := m.CaughtUp(ctx); err != nil {
			return err
		}
	}
	return nil
}

// checksumOnce opens the snapshots (retrying while writers can't be held
// within the lock timeout) and compares.
func (m *Migration) checksumOnce(ctx context.Context) (checksum.Result, error) {
	point := checksum.MySQLPoint{DB: m.db, Database: m.cfg.Conn.Database, Table: m.cfg.Table,
		LockTimeout: m.cfg.CutOverLockTimeout, Applier: m.applier, CatchUp: m.catchUp}
	var conns []*sql.Conn
	var err error
	for attempt := 1; ; attempt++ {
		if conns, err = point.Open(ctx, m.cfg.Threads); err == nil {
			break
		}
		if attempt == m.cfg.DefaultRetries || ctx.Err() != nil {
			return checksum.Result{}, fmt.Errorf("checksum: no consistent point after %d attempts: %w", attempt, err)
		}
		m.cfg.Log.Warn().Err(err).Int("attempt", attempt).Msg("checksum point not reached; retrying")
		sleep(ctx, time.Duration(min(attempt, 10))*500*time.Millisecond)
	}
	defer checksum.Close(conns)
	snaps := make([]checksum.Snapshot, len(conns))
	for i, c := range conns {
		snaps[i] = mysql.Snapshot{Rows: m.rows, Conn: c}
	}
	return checksum.Compare(ctx, snaps, m.cfg.ChunkSize*10, maxDiffs)
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
