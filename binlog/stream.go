package binlog

import (
	"context"
	"time"

	"github.com/hotswap/hotswap/applier"
)

// Stream follows one table's changes in a server's change stream and hands
// their keys to an applier.Sink: MySQLStream reads the MySQL/MariaDB binary log,
// PostgresStream a logical replication slot. A stream is given where to
// start before Run (NewMySQLStream; PostgresStream.Start or Resume).
//
// Positions cross it as the engine's own text, the form a checkpoint stores:
// "file:offset" for the binary log (mysql.BinlogPos.String), an LSN such as
// "0/16B3748" for PostgreSQL (pglogrepl.LSN.String).
type Stream interface {
	// Run reads until ctx ends (nil) or an error; every change reaches sink
	// before the stream's position moves past it. It is called once.
	Run(ctx context.Context, sink applier.Sink) error
	// Lag is how old the last change read was when it was read.
	Lag() time.Duration
	// RestartPosition is where a new stream may start and still see every
	// change not yet handed to the sink; before Run, where this one starts.
	RestartPosition() string
	// WaitFor blocks until every change before pos has reached the sink; it
	// fails if ctx ends or the stream ends first.
	WaitFor(ctx context.Context, pos string) error
}

var (
	_ Stream = (*MySQLStream)(nil)
	_ Stream = (*PostgresStream)(nil)
)
