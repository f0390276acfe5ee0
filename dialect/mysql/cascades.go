package mysql

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Cascade is a foreign key of the table whose parent's deletes or key
// updates change the table's rows (CASCADE, SET NULL): Parent and
// RefColumns name the parent's referenced columns, Columns the key's
// columns as the shadow has them.
type Cascade struct {
	Parent     TableName
	RefColumns []string
	Columns    []string
}

// RowsReached returns the keys (as the source names them) of the shadow
// rows that a cascade from parent values may have reached: once the
// parent's change is committed (a locking read of those values waits for
// its transaction) and the copy chunks running now are done (one may have
// read the rows before the cascade, and inserts them after), the shadow
// rows still holding the values are the ones to resync; rows not in the
// shadow yet are copied as the cascade left them.
func (r *Rows) RowsReached(ctx context.Context, c Cascade, values [][]any) ([][]any, error) {
	if err := r.awaitParent(ctx, c, values); err != nil {
		return nil, err
	}
	if err := r.chunks.WaitOlder(ctx); err != nil {
		return nil, fmt.Errorf("cascade from %s: wait for copy chunks in flight: %w", c.Parent.Table, err)
	}
	q, args := r.rowsReachedSQL(c, values)
	return scanKeys(ctx, r.DB, len(r.DstKey.Columns), q, args...)
}

// rowsReachedSQL selects the shadow rows whose key columns hold values.
func (r *Rows) rowsReachedSQL(c Cascade, values [][]any) (string, []any) {
	return fmt.Sprintf("SELECT %s FROM %s WHERE %s", r.prefixed("", r.DstKey.Columns), r.shadow(), keyIn(c.Columns, "", len(values))), flatten(values)
}

// awaitParent waits, with a locking read that does not wait (retried),
// until no transaction holds the parent's rows of values: the change the
// binary log reported is then committed in the engine, cascade included.
func (r *Rows) awaitParent(ctx context.Context, c Cascade, values [][]any) error {
	q := fmt.Sprintf("SELECT 1 FROM %s WHERE %s %s", qualified(c.Parent.Database, c.Parent.Table), keyIn(c.RefColumns, "", len(values)), r.ShareLock)
	pause := time.Millisecond
	for {
		err := r.lockingRead(ctx, q, flatten(values))
		if !isBusy(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pause):
		}
		pause = min(2*pause, 50*time.Millisecond)
	}
}

func (r *Rows) lockingRead(ctx context.Context, q string, args []any) error {
	tx, err := r.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	for rows.Next() {
	}
	return errors.Join(rows.Err(), rows.Close())
}
