package postgres

import (
	"context"
	"fmt"

	"github.com/hotswap/hotswap/checksum"
	dialect "github.com/hotswap/hotswap/dialect/postgres"
)

// ChecksumPoint opens --threads snapshots that see source and shadow at one
// moment (writers held with LOCK TABLE t IN SHARE MODE for the catch-up).
func (e *Engine) ChecksumPoint(ctx context.Context) ([]checksum.Snapshot, func(), error) {
	s := e.spec
	point := dialect.ChecksumPoint{DB: e.db, Schema: s.Schema, Table: s.Table,
		LockTimeout: s.CutOverLockTimeout, Applier: e.applier, CatchUp: e.drainCommitted}
	conns, err := point.Open(ctx, s.Threads)
	if err != nil {
		return nil, nil, err
	}
	snaps := make([]checksum.Snapshot, len(conns))
	for i, c := range conns {
		snaps[i] = dialect.Snapshot{Rows: e.rows, Conn: c}
	}
	return snaps, func() { dialect.EndSnapshots(conns) }, nil
}

// drainCommitted reads the stream up to now and resyncs every pending key in
// transactions of their own, committed before it returns.
func (e *Engine) drainCommitted(ctx context.Context) error {
	if err := e.CaughtUp(ctx); err != nil {
		return fmt.Errorf("drain the stream while writes are held: %w", err)
	}
	_, resync := e.RowSync()
	return e.applier.Drain(ctx, resync)
}
