package migration

import (
	"context"
	"fmt"

	"github.com/hotswap/hotswap/checksum"
	"github.com/hotswap/hotswap/dialect/postgres"
)

// checksumPoint opens --threads snapshots that see source and shadow at one
// moment (writers held with LOCK TABLE t IN SHARE MODE for the catch-up).
func (e *postgresEngine) checksumPoint(ctx context.Context) ([]checksum.Snapshot, func(), error) {
	m := e.m
	point := postgres.ChecksumPoint{DB: e.db, Schema: m.cfg.Schema, Table: m.cfg.Table,
		LockTimeout: m.cfg.CutOverLockTimeout, Applier: m.applier, CatchUp: e.drainCommitted}
	conns, err := point.Open(ctx, m.cfg.Threads)
	if err != nil {
		return nil, nil, err
	}
	snaps := make([]checksum.Snapshot, len(conns))
	for i, c := range conns {
		snaps[i] = postgres.Snapshot{Rows: e.rows, Conn: c}
	}
	return snaps, func() { postgres.EndSnapshots(conns) }, nil
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
