// Package cutover swaps the shadow table in for the original, atomically for
// the application: it sees the old table, then the new one, never neither,
// and no write reaches the old table after the last catch-up.
package cutover

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hotswap/hotswap/dialect/mysql"
)

// MySQL is the sentry-table cut-over for MySQL and MariaDB (neither MariaDB
// nor MySQL before 8.0.13 allows RENAME under LOCK TABLES):
//
//  1. create the empty sentry under the old table's name;
//  2. A: LOCK TABLES t READ, sentry WRITE: writers queue, readers go on;
//  3. drain the stream to the binlog end read under the lock, resync the
//     last keys (other connections: the shadow is not locked), and set the
//     shadow's AUTO_INCREMENT to the table's, or to the value the ALTER names;
//  4. B: RENAME TABLE t TO old, shadow TO t: it takes the shadow's metadata
//     lock, then waits on the sentry (A);
//  5. A drops the sentry; B takes its name, then queues on t;
//  6. once a probe shows B queued for t's exclusive lock (a zero-wait read
//     of t fails: only a queued exclusive request holds a read back while A
//     holds t READ), A unlocks and the RENAME runs before the queued writes.
//
// MariaDB grants a released table lock to the writers queued on t unless an
// exclusive request is queued there too, so step 6 must not be skipped. B
// waiting on a metadata lock is not enough: it may still be waking up to
// take the old name's lock (a lost-write race seen under CPU load).
// If A dies before step 5, the sentry makes the RENAME fail: no half state.
type MySQL struct {
	DB          *sql.DB
	Database    string
	Table       string
	Shadow      string
	Old         string
	LockTimeout time.Duration
	Applier     Pauser // paused while the table is locked; nil: nothing to pause
	// AutoIncrement is the counter the ALTER names (AUTO_INCREMENT = N), nil
	// when it names none: the shadow keeps it instead of the table's.
	AutoIncrement *uint64
	// CatchUp brings the shadow level with the source while lock holds the
	// table's writers (drain the stream, resync the last keys).
	CatchUp func(ctx context.Context, lock *sql.Conn) error
}

// Attempt runs one cut-over. On any error the original table is in place
// and untouched, the sentry dropped: the caller may retry.
func (m *MySQL) Attempt(ctx context.Context) (err error) {
	conns, err := m.open(ctx)
	if err != nil {
		return err
	}
	defer conns.close()
	if err := mysql.CreateSentry(ctx, m.DB, m.Database, m.Old); err != nil {
		return err
	}
	swapped := false
	defer func() {
		if !swapped { // a fresh context: the run's may be cancelled, the sentry must still go
			dctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			err = errors.Join(err, mysql.DropTable(dctx, m.DB, m.Database, m.Old))
		}
	}()
	resume := pause(m.Applier)
	defer resume()
	if err := mysql.LockForSwap(ctx, conns.a, m.Database, m.Table, m.Old); err != nil {
		return err
	}
	swapped, err = m.underLock(ctx, conns)
	return err
}

type conns struct {
	a, b, p *sql.Conn
	probe   *mysql.QueueProbe
	bID     int64
}

func (m *MySQL) open(ctx context.Context) (*conns, error) {
	c := &conns{}
	var err error
	for _, p := range []**sql.Conn{&c.a, &c.b, &c.p} {
		if *p, err = m.DB.Conn(ctx); err != nil {
			c.close()
			return nil, fmt.Errorf("cut-over connection: %w", err)
		}
	}
	if c.bID, err = mysql.ConnectionID(ctx, c.b); err != nil {
		c.close()
		return nil, err
	}
	if c.probe, err = mysql.NewQueueProbe(ctx, c.p); err != nil {
		c.close()
		return nil, err
	}
	err = errors.Join(mysql.SetLockWait(ctx, c.a, m.LockTimeout), mysql.SetLockWait(ctx, c.b, 2*m.LockTimeout+5*time.Second))
	if err != nil {
		c.close()
		return nil, err
	}
	return c, nil
}

// close discards the connections: one may still hold a table lock or a
// queued RENAME, and must not go back to the pool.
func (c *conns) close() {
	for _, x := range []*sql.Conn{c.a, c.b, c.p} {
		if x != nil {
			mysql.Discard(x)
		}
	}
}

// underLock catches up, queues the RENAME and releases it. It returns
// whether the tables were swapped.
func (m *MySQL) underLock(ctx context.Context, c *conns) (swapped bool, err error) {
	renameDone := make(chan error, 1)
	renameStarted, sentryDropped := false, false
	defer func() {
		if !swapped {
			err = errors.Join(err, m.abort(c, renameStarted, sentryDropped, renameDone))
		}
	}()
	budget, cancel := context.WithTimeout(ctx, m.LockTimeout)
	defer cancel()
	if err := m.CatchUp(budget, c.a); err != nil {
		return false, err
	}
	if err := mysql.CarryAutoIncrement(budget, m.DB, m.Database, m.Table, m.Shadow, m.AutoIncrement); err != nil {
		return false, err
	}
	renameStarted = true
	go func() {
		renameDone <- mysql.SwapRename(context.Background(), c.b, m.Database, m.Table, m.Old, m.Shadow)
	}()
	if err := m.waitRename(budget, c, renameDone, false); err != nil {
		return false, err
	}
	if err := mysql.DropSentry(ctx, c.a, m.Database, m.Old); err != nil {
		return false, err
	}
	sentryDropped = true
	if err := m.waitRename(budget, c, renameDone, true); err != nil {
		return false, err
	}
	if err := mysql.Unlock(ctx, c.a); err != nil {
		return false, err
	}
	if err := <-renameDone; err != nil {
		return false, err
	}
	return true, nil
}

// waitRename waits until the RENAME waits on a metadata lock and, when
// onTable, until it is queued for the table's own lock.
func (m *MySQL) waitRename(ctx context.Context, c *conns, renameDone chan error, onTable bool) error {
	for {
		ok, err := m.renameQueued(ctx, c, onTable)
		if err != nil || ok {
			return err
		}
		select {
		case err := <-renameDone:
			renameDone <- err
			return fmt.Errorf("rename ended before the cut-over released its lock: %v", err)
		case <-ctx.Done():
			return fmt.Errorf("rename not queued within the cut-over budget %s: %w", m.LockTimeout, ctx.Err())
		case <-time.After(2 * time.Millisecond):
		}
	}
}

func (m *MySQL) renameQueued(ctx context.Context, c *conns, onTable bool) (bool, error) {
	waiting, err := mysql.WaitingForMetadataLock(ctx, m.DB, c.bID)
	if err != nil || !waiting || !onTable {
		return waiting, err
	}
	return c.probe.ExclusiveQueued(ctx, m.Database, m.Table, c.bID)
}

// abort leaves the original table in place: a RENAME queued after the sentry
// is gone is killed before the lock is released; before that, the sentry
// makes it fail.
func (m *MySQL) abort(c *conns, renameStarted, sentryDropped bool, renameDone chan error) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var err error
	if renameStarted && sentryDropped {
		err = mysql.KillQuery(ctx, m.DB, c.bID)
		select {
		case rerr := <-renameDone:
			renameStarted = false
			if rerr == nil {
				return errors.New("BUG: the RENAME ran while the table was still locked")
			}
		case <-ctx.Done():
			return errors.Join(err, errors.New("the queued RENAME could not be killed: the table is still locked by the cut-over connection, which now closes"))
		}
	}
	err = errors.Join(err, mysql.Unlock(ctx, c.a))
	if renameStarted {
		select {
		case <-renameDone: // fails on the sentry
		case <-ctx.Done():
			err = errors.Join(err, errors.New("the queued RENAME is still pending after the cut-over was aborted"))
		}
	}
	return err
}
