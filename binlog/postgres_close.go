package binlog

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
)

// endCopyTimeout bounds the orderly end of streaming in Close; past it the
// connection is simply closed and the walsender lets go of the slot soon
// after, on its own.
const endCopyTimeout = 5 * time.Second

var errClosed = errors.New("stream closed")

// Close stops Run (waiting for it to return) and closes the replication
// connection. It ends streaming in order first, as pg_recvlogical does: once
// Close returns nil the walsender has released the slot, so the caller can
// drop it (postgres.DropSlot) and the publication right away. Close may be
// called at any time, more than once.
func (s *PostgresStream) Close(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	stop, stopped := s.stop, s.stopped
	s.mu.Unlock()
	if stop != nil {
		stop()
		select {
		case <-stopped:
		case <-ctx.Done():
			return fmt.Errorf("close replication stream %s: Run did not return: %w", s.cfg.Slot, ctx.Err())
		}
	}
	s.mu.Lock()
	conn, streaming := s.conn, s.streaming
	s.conn = nil
	if !s.done {
		s.done, s.err = true, errClosed
		s.notifyLocked()
	}
	s.mu.Unlock()
	if conn == nil {
		return nil
	}
	var err error
	if streaming && !conn.IsClosed() {
		err = endCopy(ctx, conn)
	}
	if cerr := conn.Close(ctx); err == nil && cerr != nil {
		err = fmt.Errorf("close replication connection of slot %s: %w", s.cfg.Slot, cerr)
	}
	return err
}

// endCopy sends CopyDone and reads until the server is ready for a new
// command: by then the walsender has released the slot. Data still in
// flight is dropped (it is past Position, so nothing was confirmed).
func endCopy(ctx context.Context, conn *pgconn.PgConn) error {
	ctx, cancel := context.WithTimeout(ctx, endCopyTimeout)
	defer cancel()
	conn.Frontend().Send(&pgproto3.CopyDone{})
	if err := conn.Frontend().Flush(); err != nil {
		return fmt.Errorf("end replication stream: %w", err)
	}
	for {
		msg, err := conn.ReceiveMessage(ctx)
		if err != nil {
			return fmt.Errorf("end replication stream: %w", err)
		}
		switch m := msg.(type) {
		case *pgproto3.ReadyForQuery:
			return nil
		case *pgproto3.ErrorResponse:
			return fmt.Errorf("end replication stream: %w", pgconn.ErrorResponseToPgError(m))
		}
	}
}
