// Package binlog reads change streams (the MySQL/MariaDB binary log, a
// PostgreSQL logical replication slot; see Stream) and hands the keys of
// changed rows to a sink; the rows themselves are re-read from the source by
// the applier, so no column value is decoded beyond keys.
package binlog

import "context"

// Sink receives the keys of rows changed in the source table. An update that
// changes the key gives both the old and the new key. Add may block to bound
// memory (that throttles the reader, never drops a change).
type Sink interface {
	Add(ctx context.Context, keys [][]any) error
}
