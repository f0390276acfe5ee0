package migration

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/hotswap/hotswap/checksum"
	"github.com/hotswap/hotswap/dialect/postgres"
)

// checksumOnce opens snapshots that all see source and shadow equal (unless
// the copy is wrong) and compares. Writers are held with LOCK TABLE t IN
// SHARE MODE while the shadow is caught up in committed transactions, one
// snapshot is exported and imported by the others, and the lock is released.
// Readers are never blocked; writers wait for the catch-up only.
func (e *postgresEngine) checksumOnce(ctx context.Context) (checksum.Result, error) {
	m := e.m
	var conns []*sql.Conn
	var err error
	for attempt := 1; ; attempt++ {
		if conns, err = e.openSnapshots(ctx, m.cfg.Threads); err == nil {
			break
		}
		if attempt == m.cfg.DefaultRetries || ctx.Err() != nil {
			return checksum.Result{}, fmt.Errorf("checksum: no consistent point after %d attempts: %w", attempt, err)
		}
		m.cfg.Log.Warn().Err(err).Int("attempt", attempt).Msg("checksum point not reached; retrying")
		sleep(ctx, time.Duration(min(attempt, 10))*500*time.Millisecond)
	}
	defer endSnapshots(conns)
	snaps := make([]checksum.Snapshot, len(conns))
	for i, c := range conns {
		snaps[i] = postgres.Snapshot{Rows: e.rows, Conn: c}
	}
	return checksum.Compare(ctx, snaps, m.checksumChunk(), maxDiffs)
}

func (e *postgresEngine) openSnapshots(ctx context.Context, n int) ([]*sql.Conn, error) {
	m := e.m
	lock, err := e.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer postgres.EndSnapshot(lock) // rolls the lock's transaction back
	m.applier.Pause()
	defer m.applier.Resume()
	if err := postgres.LockWrites(ctx, lock, m.cfg.Schema, m.cfg.Table, m.cfg.CutOverLockTimeout, 2*m.cfg.CutOverLockTimeout); err != nil {
		return nil, err
	}
	budget, cancel := context.WithTimeout(ctx, m.cfg.CutOverLockTimeout)
	defer cancel()
	if err := e.drainCommitted(budget); err != nil {
		return nil, err
	}
	var conns []*sql.Conn
	var id string
	for i := range n {
		c, err := e.db.Conn(budget)
		if err == nil {
			conns = append(conns, c)
			if i == 0 {
				id, err = postgres.ExportSnapshot(budget, c)
			} else {
				err = postgres.ImportSnapshot(budget, c, id)
			}
		}
		if err != nil {
			endSnapshots(conns)
			return nil, err
		}
	}
	return conns, nil
}

// drainCommitted reads the stream up to now and resyncs every pending key in
// transactions of their own, committed before it returns.
func (e *postgresEngine) drainCommitted(ctx context.Context) error {
	if err := e.caughtUp(ctx); err != nil {
		return fmt.Errorf("drain the stream while writes are held: %w", err)
	}
	_, resync := e.rowSync()
	return e.m.applier.Drain(ctx, resync)
}

func endSnapshots(conns []*sql.Conn) {
	for _, c := range conns {
		postgres.EndSnapshot(c)
	}
}
