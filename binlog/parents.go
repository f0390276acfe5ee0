package binlog

import (
	"context"
	"fmt"
	"reflect"

	"github.com/go-mysql-org/go-mysql/replication"
)

// ParentWatch follows a table the migrated one references with a foreign
// key whose deletes and key updates cascade into it (ON DELETE CASCADE,
// SET NULL...): the server does not write a cascade's changes to the
// binary log, only the parent's. The referenced values a delete removes,
// or an update changes, go to Changed, which finds the rows they reached.
type ParentWatch struct {
	Database, Table string
	Key             KeyDecoder // the referenced columns
	Changed         func(ctx context.Context, values [][]any) error
}

func (w ParentWatch) follows(e *replication.RowsEvent) bool {
	return e.Table != nil && string(e.Table.Schema) == w.Database && string(e.Table.Table) == w.Table
}

// handle passes the referenced values the event removes on to Changed.
func (w ParentWatch) handle(ctx context.Context, e *replication.RowsEvent) error {
	values, err := parentValues(w.Key, e)
	if err != nil {
		return fmt.Errorf("binlog event for %s: %w", w.Table, err)
	}
	if len(values) == 0 {
		return nil
	}
	return w.Changed(ctx, values)
}

// parentValues are the referenced values a parent's rows event takes away:
// every deleted row's, and an updated row's old ones when they change. An
// insert takes none away.
func parentValues(d KeyDecoder, e *replication.RowsEvent) ([][]any, error) {
	switch e.Type() {
	case replication.EnumRowsEventTypeDelete:
		return d.Keys(e.Rows)
	case replication.EnumRowsEventTypeUpdate:
		images, err := d.Keys(e.Rows) // before, after, before, after...
		if err != nil {
			return nil, err
		}
		var out [][]any
		for i := 0; i+1 < len(images); i += 2 {
			if !reflect.DeepEqual(images[i], images[i+1]) {
				out = append(out, images[i])
			}
		}
		return out, nil
	}
	return nil, nil
}
