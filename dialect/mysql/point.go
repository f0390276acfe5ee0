package mysql

import (
	"context"
	"database/sql"
	"errors"
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
// the copy is wrong): writers are held with LOCK TABLES t READ while the
// shadow is caught up, the snapshots start, and the lock is released.
// Readers are never blocked; writers wait for the catch-up only.
//
// Without a run (the standalone checksum) Applier and CatchUp are nil and
// Also names the shadow: writers of both tables are held while the
// snapshots start, so that they all see the same moment.
type ChecksumPoint struct {
	DB          *sql.DB
	Database    string
	Table       string
	Also        []string // more tables whose writers to hold
	LockTimeout time.Duration
	Applier     Pauser                                          // nil: no run to pause
	CatchUp     func(ctx context.Context, lock *sql.Conn) error // nil: nothing to catch up
}

// Open returns n connections inside snapshot transactions; end them with
// EndSnapshots.
func (p ChecksumPoint) Open(ctx context.Context, n int) (_ []*sql.Conn, err error) {
	conns := make([]*sql.Conn, 0, n+1)
	defer func() {
		if err != nil {
			EndSnapshots(conns)
		}
	}()
	for i := 0; i <= n; i++ {
		c, err := p.DB.Conn(ctx)
		if err != nil {
			return nil, err
		}
		conns = append(conns, c)
	}
	lock := conns[0]
	if err := SetLockWait(ctx, lock, p.LockTimeout); err != nil {
		return nil, err
	}
	if p.Applier != nil {
		p.Applier.Pause()
		defer p.Applier.Resume()
	}
	if err := LockWrites(ctx, lock, p.Database, append([]string{p.Table}, p.Also...)...); err != nil {
		return nil, err
	}
	budget, cancel := context.WithTimeout(ctx, p.LockTimeout)
	defer cancel()
	if p.CatchUp != nil {
		err = p.CatchUp(budget, lock)
	}
	for _, c := range conns[1:] {
		if err == nil {
			err = StartSnapshot(budget, c)
		}
	}
	if uerr := Unlock(context.Background(), lock); uerr != nil {
		err = errors.Join(err, uerr)
	}
	Discard(lock)
	return conns[1:], err
}

// EndSnapshots ends the snapshots and closes their connections.
func EndSnapshots(conns []*sql.Conn) {
	for _, c := range conns {
		EndSnapshot(c)
	}
}
