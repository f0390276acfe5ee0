package mysql

import (
	"errors"

	driver "github.com/go-sql-driver/mysql"
)

// ConnectionLost says whether err is MySQL's or MariaDB's way of saying the
// server went away: a broken connection, a shutdown in progress, a session
// killed. Network errors themselves are the caller's to recognize.
func ConnectionLost(err error) bool {
	if errors.Is(err, driver.ErrInvalidConn) {
		return true
	}
	var me *driver.MySQLError
	return errors.As(err, &me) && (me.Number == 1053 || me.Number == 1927) // server shutdown in progress; connection killed
}
