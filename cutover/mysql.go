// Package cutover swaps the shadow table in for the original, atomically for
// the application: it sees the old table, then the new one, never neither,
// and no write reaches the old table after the last catch-up.
package cutover

import (
	"context"
	"database/sql"
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
	// Triggers, ForeignKeys and Children: see MySQLTable.
	Triggers    []mysql.Trigger
	ForeignKeys []mysql.ForeignKey
	Children    []mysql.ChildKey
}

// Attempt runs one cut-over. On any error the original table is in place
// and untouched, the sentry dropped: the caller may retry.
func (m *MySQL) Attempt(ctx context.Context) error {
	set := MySQLSet{DB: m.DB, Database: m.Database, LockTimeout: m.LockTimeout, Tables: []MySQLTable{{
		Table: m.Table, Shadow: m.Shadow, Old: m.Old, Applier: m.Applier, AutoIncrement: m.AutoIncrement, CatchUp: m.CatchUp,
		Triggers: m.Triggers, ForeignKeys: m.ForeignKeys, Children: m.Children}}}
	return set.Attempt(ctx)
}
