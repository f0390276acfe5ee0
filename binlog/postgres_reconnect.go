package binlog

import (
	"context"
	"errors"
	"time"

	"github.com/hotswap/hotswap/applier"
	"github.com/jackc/pgx/v5/pgconn"
)

// reconnectBudget bounds how long the stream tries to get its connection
// back (a walsender terminated by an administrator, a server restart, a
// network cut) before the run fails.
const reconnectBudget = time.Minute

// runReconnecting streams, and when the connection is lost, reconnects and
// streams again from Position: every transaction before it has reached the
// sink, whose keys stay with the applier in memory, so nothing is lost and
// at most a partly received transaction is read again (its resyncs are
// idempotent). The slot never confirmed past Position, so the server still
// has everything after it.
func (s *PostgresStream) runReconnecting(ctx context.Context, conn *pgconn.PgConn, sink applier.Sink) error {
	var lostAt time.Time
	from := s.Position()
	for attempt := 1; ; attempt++ {
		err := s.run(ctx, conn, sink)
		if ctx.Err() != nil || !lostConnection(conn, err) {
			return err
		}
		if lostAt.IsZero() || s.Position() > from {
			lostAt, attempt = time.Now(), 1 // streamed since the last loss: a new budget
		}
		s.cfg.Log.Warn().Err(err).Int("attempt", attempt).Stringer("position", s.Position()).
			Msg("replication connection lost; reconnecting from the last position handed to the applier")
		_ = conn.Close(context.Background())
		if conn, err = s.reconnect(ctx, lostAt); err != nil {
			return err
		}
		from = s.Position()
	}
}

// reconnect opens a new replication connection, retrying with back-off
// until the budget since lostAt is spent.
func (s *PostgresStream) reconnect(ctx context.Context, lostAt time.Time) (*pgconn.PgConn, error) {
	for try := 1; ; try++ {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Duration(min(try, 10)) * 200 * time.Millisecond):
		}
		conn, err := connectReplication(ctx, s.cfg.ConnString)
		if err == nil {
			s.mu.Lock()
			s.conn, s.streaming, s.start = conn, false, s.pos
			s.mu.Unlock()
			return conn, nil
		}
		if time.Since(lostAt) > reconnectBudget {
			return nil, errors.Join(errors.New("replication connection lost and not back within "+reconnectBudget.String()), err)
		}
	}
}

// lostConnection says whether err ended the stream because its connection
// went away (or the server's walsender was ended), rather than something
// reconnecting would meet again.
func lostConnection(conn *pgconn.PgConn, err error) bool {
	if err == nil {
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "57P01", "57P02", "57P03", // admin shutdown, crash shutdown, cannot connect now
			"55006": // slot still active: the old walsender has not exited yet
			return true
		}
		return len(pe.Code) == 5 && pe.Code[:2] == "08" // connection exception
	}
	return conn.IsClosed()
}
