package mysql

import (
	"context"

	dialect "github.com/hotswap/hotswap/dialect/mysql"
)

// AlterInstant tries the ALTER with ALGORITHM=INSTANT; done is false, with
// the reason, when the server cannot or its lock did not come in time.
func (e *Engine) AlterInstant(ctx context.Context) (bool, string, error) {
	c := e.spec
	return dialect.AlterInstant(ctx, e.db, c.Conn.Database, c.Table, e.alter.Text, c.CutOverLockTimeout)
}
