package mysql

import (
	"context"

	"github.com/hotswap/hotswap/checksum"
	dialect "github.com/hotswap/hotswap/dialect/mysql"
)

// ChecksumPoint opens --threads snapshots that see source and shadow at one
// moment (writers held with LOCK TABLES t READ for the catch-up).
func (e *Engine) ChecksumPoint(ctx context.Context) ([]checksum.Snapshot, func(), error) {
	c := e.spec
	point := dialect.ChecksumPoint{DB: e.db, Database: c.Conn.Database, Table: c.Table,
		LockTimeout: c.CutOverLockTimeout, Applier: e.applier, CatchUp: e.catchUp}
	conns, err := point.Open(ctx, c.Threads)
	if err != nil {
		return nil, nil, err
	}
	snaps := make([]checksum.Snapshot, len(conns))
	for i, c := range conns {
		snaps[i] = dialect.Snapshot{Rows: e.rows, Conn: c}
	}
	return snaps, func() { dialect.EndSnapshots(conns) }, nil
}

// Snapshot opens one consistent snapshot, holding nothing: the early
// checksum's (engine.EarlySnapshots).
func (e *Engine) Snapshot(ctx context.Context) (checksum.Snapshot, func(), error) {
	c, err := e.db.Conn(ctx)
	if err != nil {
		return nil, nil, err
	}
	if err := dialect.StartSnapshot(ctx, c); err != nil {
		dialect.EndSnapshot(c)
		return nil, nil, err
	}
	return dialect.Snapshot{Rows: e.rows, Conn: c}, func() { dialect.EndSnapshot(c) }, nil
}
