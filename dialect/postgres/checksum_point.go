package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Pauser is the run's applier as the checksum point sees it: its background
// resyncs stop while the point holds the table's writers, or they would
// queue on the locked table.
type Pauser interface {
	Pause()
	Resume()
}

// ChecksumPoint opens snapshots that all see source and shadow equal (unless
// the copy is wrong): writers are held with LOCK TABLE t IN SHARE MODE while
// the shadow is caught up in committed transactions, one snapshot is
// exported and imported by the others, and the lock is released. Readers
// are never blocked; writers wait for the catch-up only.
//
// Without a run (the standalone checksum) no lock is needed: an exported
// snapshot is one moment for both tables (SharedSnapshots).
type ChecksumPoint struct {
	DB     *sql.DB
	Schema string
	Table  string
	// LockTimeout bounds the wait for the lock, and the catch-up and the
	// snapshots together; the server ends the lock's transaction after
	// twice that, whatever happens to the client.
	LockTimeout time.Duration
	Applier     Pauser // nil: no run to pause
	// CatchUp brings the shadow up to the held table. It commits in
	// transactions of its own, so that the snapshots see its work: it is
	// not handed the lock's connection (unlike MySQL's).
	CatchUp func(ctx context.Context) error // nil: nothing to catch up
}

// Open returns n connections inside one exported snapshot; end them with
// EndSnapshots.
func (p ChecksumPoint) Open(ctx context.Context, n int) ([]*sql.Conn, error) {
	lock, err := p.DB.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("open the checksum point's lock connection: %w", err)
	}
	defer EndSnapshot(lock) // rolls the lock's transaction back
	if p.Applier != nil {
		p.Applier.Pause()
		defer p.Applier.Resume()
	}
	if err := LockWrites(ctx, lock, p.Schema, p.Table, p.LockTimeout, 2*p.LockTimeout); err != nil {
		return nil, err
	}
	budget, cancel := context.WithTimeout(ctx, p.LockTimeout)
	defer cancel()
	if p.CatchUp != nil {
		if err := p.CatchUp(budget); err != nil {
			return nil, err
		}
	}
	return SharedSnapshots(budget, p.DB, n)
}

// SharedSnapshots opens n connections in one snapshot: the first exports
// its snapshot, the others import it. End them with EndSnapshots.
func SharedSnapshots(ctx context.Context, db *sql.DB, n int) ([]*sql.Conn, error) {
	var conns []*sql.Conn
	var id string
	for i := range n {
		c, err := db.Conn(ctx)
		if err != nil {
			err = fmt.Errorf("open a checksum snapshot connection: %w", err)
		} else {
			conns = append(conns, c)
			if i == 0 {
				id, err = ExportSnapshot(ctx, c)
			} else {
				err = ImportSnapshot(ctx, c, id)
			}
		}
		if err != nil {
			EndSnapshots(conns)
			return nil, err
		}
	}
	return conns, nil
}

// EndSnapshots ends the snapshots and closes their connections.
func EndSnapshots(conns []*sql.Conn) {
	for _, c := range conns {
		EndSnapshot(c)
	}
}
