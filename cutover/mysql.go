// Package cutover swaps the shadow table in for the original, atomically for
// the application: it sees the old table, then the new one, never neither.
package cutover

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hotswap/hotswap/applier"
	"github.com/hotswap/hotswap/dialect/mysql"
)

// MySQL is the sentry-table cut-over (works on MariaDB and every MySQL,
// including those that refuse RENAME under LOCK TABLES).
type MySQL struct {
	DB          *sql.DB
	Database    string
	Table       string
	Shadow      string
	Old         string
	LockTimeout time.Duration
	Stream      interface {
		WaitFor(ctx context.Context, pos mysql.BinlogPos) error
	}
	Applier *applier.Applier
	Rows    *mysql.Rows
}

// Attempt runs one cut-over. On any error before the swap, the original table
// is left in place and untouched, the sentry dropped: the caller may retry.
func (m *MySQL) Attempt(ctx context.Context) (err error) {
	if err := mysql.CreateSentry(ctx, m.DB, m.Database, m.Old); err != nil {
		return err
	}
	sentryLeft := true
	defer func() {
		if sentryLeft {
			// a fresh context: the run's may be cancelled, the sentry must still go
			dctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			err = errors.Join(err, mysql.DropTable(dctx, m.DB, m.Database, m.Old))
		}
	}()
	a, err := m.DB.Conn(ctx)
	if err != nil {
		return fmt.Errorf("cut-over lock connection: %w", err)
	}
	defer a.Close()
	b, err := m.DB.Conn(ctx)
	if err != nil {
		return fmt.Errorf("cut-over rename connection: %w", err)
	}
	defer b.Close()
	if err := mysql.SetLockWait(ctx, a, m.LockTimeout); err != nil {
		return err
	}
	if err := mysql.SetLockWait(ctx, b, 2*m.LockTimeout+5*time.Second); err != nil {
		return err
	}
	m.Applier.Pause()
	defer m.Applier.Resume()
	if err := mysql.LockForSwap(ctx, a, m.Database, m.Table, m.Old, m.Shadow); err != nil {
		return err
	}
	swapped, err := m.underLock(ctx, a, b)
	sentryLeft = !swapped
	return err
}

// underLock catches the shadow up while writes are blocked, queues the
// RENAME behind the lock, then drops the sentry and unlocks so the RENAME
// runs before any queued write.
func (m *MySQL) underLock(ctx context.Context, a, b *sql.Conn) (swapped bool, err error) {
	renameDone := make(chan error, 1)
	renameStarted := false
	defer func() {
		if !swapped {
			var aerr error
			if swapped, aerr = m.abort(a, renameStarted, renameDone); swapped {
				err = nil // the rename ran after a complete catch-up: the swap is done
			} else {
				err = errors.Join(err, aerr)
			}
		}
	}()
	budget, cancel := context.WithTimeout(ctx, m.LockTimeout)
	defer cancel()
	if err := m.catchUp(budget, a); err != nil {
		return false, err
	}
	bid, err := mysql.ConnectionID(budget, b)
	if err != nil {
		return false, err
	}
	renameStarted = true
	go func() { renameDone <- mysql.SwapRename(context.Background(), b, m.Database, m.Table, m.Old, m.Shadow) }()
	if err := m.waitQueued(budget, bid, renameDone); err != nil {
		return false, err
	}
	if err := mysql.DropSentryAndUnlock(ctx, a, m.Database, m.Old); err != nil {
		return false, err
	}
	if err := <-renameDone; err != nil {
		// sentry gone and unlocked, yet the rename failed: the original is in place
		renameStarted = false
		return false, err
	}
	return true, nil
}

// catchUp drains the stream to the binlog end read under the lock and
// resyncs the last keys on the locking connection.
func (m *MySQL) catchUp(ctx context.Context, a *sql.Conn) error {
	pos, err := mysql.MasterPos(ctx, a)
	if err != nil {
		return err
	}
	if err := m.Stream.WaitFor(ctx, pos); err != nil {
		return fmt.Errorf("drain stream under cut-over lock: %w", err)
	}
	return m.Applier.Drain(ctx, func(ctx context.Context, keys [][]any) error {
		return m.Rows.Resync(ctx, a, keys, false)
	})
}

// waitQueued returns once the RENAME waits on the metadata lock.
func (m *MySQL) waitQueued(ctx context.Context, id int64, renameDone chan error) error {
	for {
		waiting, err := mysql.WaitingForMetadataLock(ctx, m.DB, id)
		if err != nil {
			return err
		}
		if waiting {
			return nil
		}
		select {
		case err := <-renameDone:
			renameDone <- err
			return fmt.Errorf("rename ended before the cut-over released its lock: %v", err)
		case <-ctx.Done():
			return fmt.Errorf("rename not queued within the cut-over budget %s: %w", m.LockTimeout, ctx.Err())
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// abort unlocks with the sentry still in place, so a queued RENAME fails. It
// reports whether the RENAME ran anyway (only possible once the sentry was
// dropped, which happens only after a complete catch-up).
func (m *MySQL) abort(a *sql.Conn, renameStarted bool, renameDone chan error) (swapped bool, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = mysql.Unlock(ctx, a)
	if renameStarted {
		select {
		case rerr := <-renameDone:
			return rerr == nil, err
		case <-ctx.Done():
			return false, errors.Join(err, errors.New("the queued RENAME is still pending after the cut-over was aborted"))
		}
	}
	return false, err
}
