package migration

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/hotswap/hotswap/checksum"
	"github.com/hotswap/hotswap/dialect/postgres"
)

// checksumPoint opens --threads snapshots that all see source and shadow
// equal (unless the copy is wrong). Writers are held with LOCK TABLE t IN
// SHARE MODE while the shadow is caught up in committed transactions, one
// snapshot is exported and imported by the others, and the lock is released.
// Readers are never blocked; writers wait for the catch-up only.
func (e *postgresEngine) checksumPoint(ctx context.Context) ([]checksum.Snapshot, func(), error) {
	conns, err := e.openSnapshots(ctx, e.m.cfg.Threads)
	if err != nil {
		return nil, nil, err
	}
	snaps := make([]checksum.Snapshot, len(conns))
	for i, c := range conns {
		snaps[i] = postgres.Snapshot{Rows: e.rows, Conn: c}
	}
	return snaps, func() { endSnapshots(conns) }, nil
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
	return sharedSnapshots(budget, e.db, n)
}

// sharedSnapshots opens n connections in one snapshot: the first exports
// its snapshot, the others import it.
func sharedSnapshots(ctx context.Context, db *sql.DB, n int) ([]*sql.Conn, error) {
	var conns []*sql.Conn
	var id string
	for i := range n {
		c, err := db.Conn(ctx)
		if err == nil {
			conns = append(conns, c)
			if i == 0 {
				id, err = postgres.ExportSnapshot(ctx, c)
			} else {
				err = postgres.ImportSnapshot(ctx, c, id)
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
