package applier

import "context"

// Sink receives the keys of rows changed in the source table from a change
// stream (package binlog). An update that changes the key gives both the old
// and the new key. Add may block to bound memory (that throttles the reader,
// never drops a change). The Applier is the sink of every run.
type Sink interface {
	Add(ctx context.Context, keys [][]any) error
}

var _ Sink = (*Applier)(nil)
