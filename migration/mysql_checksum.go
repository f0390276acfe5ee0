package migration

import (
	"context"

	"github.com/hotswap/hotswap/checksum"
	"github.com/hotswap/hotswap/dialect/mysql"
)

// checksumPoint opens --threads snapshots that see source and shadow at one
// moment (writers held with LOCK TABLES t READ for the catch-up).
func (e *mysqlEngine) checksumPoint(ctx context.Context) ([]checksum.Snapshot, func(), error) {
	m := e.m
	point := mysql.ChecksumPoint{DB: e.db, Database: m.cfg.Conn.Database, Table: m.cfg.Table,
		LockTimeout: m.cfg.CutOverLockTimeout, Applier: m.applier, CatchUp: e.catchUp}
	conns, err := point.Open(ctx, m.cfg.Threads)
	if err != nil {
		return nil, nil, err
	}
	snaps := make([]checksum.Snapshot, len(conns))
	for i, c := range conns {
		snaps[i] = mysql.Snapshot{Rows: e.rows, Conn: c}
	}
	return snaps, func() { mysql.EndSnapshots(conns) }, nil
}

// snapshot opens one consistent snapshot, holding nothing: the early
// checksum's (earlyCapable).
func (e *mysqlEngine) snapshot(ctx context.Context) (checksum.Snapshot, func(), error) {
	c, err := e.db.Conn(ctx)
	if err != nil {
		return nil, nil, err
	}
	if err := mysql.StartSnapshot(ctx, c); err != nil {
		mysql.EndSnapshot(c)
		return nil, nil, err
	}
	return mysql.Snapshot{Rows: e.rows, Conn: c}, func() { mysql.EndSnapshot(c) }, nil
}
