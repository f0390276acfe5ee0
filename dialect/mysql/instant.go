package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	driver "github.com/go-sql-driver/mysql"
)

// AlterInstant tries the ALTER on the table itself with ALGORITHM=INSTANT,
// waiting at most lockWait for the metadata lock (while it waits, later
// queries on the table queue behind it). done is false, with the reason,
// when the server cannot make this change instantly or the lock did not
// come in time: the caller falls back to the online copy.
func AlterInstant(ctx context.Context, db *sql.DB, database, table, alter string, lockWait time.Duration) (done bool, why string, err error) {
	conn, err := ServerModeConn(ctx, db) // the user's ALTER, under the server's sql_mode
	if err != nil {
		return false, "", err
	}
	defer Discard(conn) // its sql_mode and lock_wait_timeout are not the pool's
	if err := SetLockWait(ctx, conn, lockWait); err != nil {
		return false, "", err
	}
	_, err = conn.ExecContext(ctx, alterInstantSQL(database, table, alter))
	var me *driver.MySQLError
	switch {
	case err == nil:
		return true, "", nil
	case errors.As(err, &me) && (me.Number == 1845 || me.Number == 1846):
		return false, me.Message, nil // ER_ALTER_OPERATION_NOT_SUPPORTED(_REASON)
	case isBusy(err):
		return false, fmt.Sprintf("the table's metadata lock was not granted within %s", lockWait), nil
	}
	return false, "", fmt.Errorf("ALTER TABLE %s ... ALGORITHM=INSTANT: %w", table, err)
}

// alterInstantSQL is the user's ALTER on the table itself, which the server
// must do instantly or refuse (rather than copy the table under a lock).
func alterInstantSQL(database, table, alter string) string {
	return fmt.Sprintf("ALTER TABLE %s %s, ALGORITHM=INSTANT", qualified(database, table), alter)
}
