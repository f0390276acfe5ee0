package mysql

import (
	"context"
	"fmt"

	"github.com/hotswap/hotswap/cutover"
	"github.com/hotswap/hotswap/engine"
)

var _ engine.CutOverSet = (*Engine)(nil)

// CutOverTogether swaps e's table and those of others in one RENAME under
// the sentry and queue protocol of cutover.MySQLSet, its lock connections
// taken from e's pool.
func (e *Engine) CutOverTogether(ctx context.Context, others []engine.Engine) error {
	if e.set == nil {
		tables := []cutover.MySQLTable{e.cutTable()}
		for _, o := range others {
			oe, ok := o.(*Engine)
			if !ok || oe.spec.Conn.Database != e.spec.Conn.Database {
				return fmt.Errorf("cut over %s with %T: only tables of one MySQL database switch together", e.spec.TableName, o)
			}
			tables = append(tables, oe.cutTable())
		}
		e.set = &cutover.MySQLSet{DB: e.db, Database: e.spec.Conn.Database, Tables: tables, LockTimeout: e.spec.CutOverLockTimeout}
	}
	return e.set.Attempt(ctx)
}

// cutTable is e's table as a member of a cut-over set.
func (e *Engine) cutTable() cutover.MySQLTable {
	return cutover.MySQLTable{Table: e.spec.Table, Shadow: e.plan.Shadow, Old: e.plan.Old, Applier: e.applier,
		AutoIncrement: e.alter.AutoIncrement, CatchUp: e.catchUp, Triggers: e.triggers,
		ForeignKeys: e.keys, Children: e.children}
}
