package postgres

import (
	"context"
	"fmt"

	dialect "github.com/hotswap/hotswap/dialect/postgres"
	"github.com/hotswap/hotswap/schema"
)

// AlterInstant first applies the ALTER to an empty probe copy to see whether
// PostgreSQL rewrites or scans for it; only a change that does neither is run
// on the table.
func (e *Engine) AlterInstant(ctx context.Context) (bool, string, error) {
	c := e.spec
	probe := schema.DerivedName(c.Table, "probe", pgMaxNameLen)
	instant, why, err := dialect.AlterIsInstant(ctx, e.db, c.Schema, c.Table, probe, c.Alter)
	if err != nil || !instant {
		return false, why, err
	}
	err = dialect.AlterInPlace(ctx, e.db, c.Schema, c.Table, c.Alter, c.CutOverLockTimeout)
	if dialect.IsLockTimeout(err) {
		return false, fmt.Sprintf("the table's lock was not granted within %s", c.CutOverLockTimeout), nil
	}
	return err == nil, "", err
}
