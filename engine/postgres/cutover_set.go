package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/hotswap/hotswap/cutover"
	dialect "github.com/hotswap/hotswap/dialect/postgres"
	"github.com/hotswap/hotswap/engine"
)

var _ engine.CutOverSet = (*Engine)(nil)

// CutOverTogether swaps e's table and those of others in one transaction
// (cutover.PostgresSet) on a connection of e's pool; each table is caught
// up by its own engine inside it.
func (e *Engine) CutOverTogether(ctx context.Context, others []engine.Engine) error {
	s := e.spec
	if e.set == nil {
		tables := []cutover.PostgresTable{e.cutTable()}
		for _, o := range others {
			oe, ok := o.(*Engine)
			if !ok || oe.spec.Schema != s.Schema {
				return fmt.Errorf("cut over %s with %T: only tables of one PostgreSQL schema switch together", s.TableName, o)
			}
			tables = append(tables, oe.cutTable())
		}
		e.set = &cutover.PostgresSet{DB: e.db, Schema: s.Schema, Tables: tables, LockTimeout: s.CutOverLockTimeout,
			KillBlockersAfter: s.KillBlockersAfter}
	}
	err := e.set.Attempt(ctx)
	if errors.Is(err, cutover.ErrBoundObjects) || errors.Is(err, dialect.ErrDependentsChanged) {
		return engine.NoRetry{Err: err}
	}
	return err
}

// cutTable is e's table as a member of a cut-over set.
func (e *Engine) cutTable() cutover.PostgresTable {
	return cutover.PostgresTable{Table: e.spec.Table, Shadow: e.plan.Shadow, Old: e.plan.Old, Applier: e.applier, CatchUp: e.catchUp,
		Dependents: e.deps}
}
