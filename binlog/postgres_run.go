package binlog

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hotswap/hotswap/applier"
	"github.com/jackc/pglogrepl"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
)

// statusInterval is how often the stream confirms its position when nothing
// else made it: the slot's WAL is released that often, the walsender never
// times us out (wal_sender_timeout, 60 s by default), and the reply it sends
// moves Position on an idle table.
const statusInterval = time.Second

// errInterrupted ends a receive early: WaitFor asked for a keepalive.
var errInterrupted = errors.New("receive interrupted")

// Run streams from the slot's consistent point until ctx ends (nil) or
// Close is called (nil), or an error: every change to the table reaches sink
// before Position moves past its transaction. Run is called once, after
// Start; all its work happens on the calling goroutine.
func (s *PostgresStream) Run(ctx context.Context, sink applier.Sink) error {
	ctx, conn, err := s.enter(ctx)
	if err != nil || conn == nil {
		return err // conn nil: closed before Run started, nothing to do
	}
	err = s.runReconnecting(ctx, conn, sink)
	if ctx.Err() != nil {
		err = nil // asked to stop: whatever failed after that is not the stream's fault
	}
	s.exit(err)
	s.cfg.Log.Info().Str("slot", s.cfg.Slot).Stringer("position", s.Position()).Err(err).Msg("replication stream ended")
	return err
}

func (s *PostgresStream) enter(ctx context.Context) (context.Context, *pgconn.PgConn, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		return nil, nil, nil
	case s.conn == nil:
		return nil, nil, fmt.Errorf("stream replication slot %s: Run before Start", s.cfg.Slot)
	case s.running || s.done:
		return nil, nil, fmt.Errorf("stream replication slot %s: Run called twice", s.cfg.Slot)
	}
	ctx, cancel := context.WithCancel(ctx)
	s.running, s.stop, s.stopped = true, cancel, make(chan struct{})
	return ctx, s.conn, nil
}

func (s *PostgresStream) exit(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stop()
	s.running, s.done, s.err = false, true, err
	close(s.stopped)
	s.notifyLocked()
}

func (s *PostgresStream) run(ctx context.Context, conn *pgconn.PgConn, sink applier.Sink) error {
	if err := s.startReplication(ctx, conn); err != nil {
		return err
	}
	d := newPgDecoder(s.cfg, sink)
	next := time.Now().Add(statusInterval)
	for {
		ping := s.takePing()
		if due := !time.Now().Before(next); ping || due {
			// An idle stream asks for a reply: its keepalive carries the
			// server's WAL end, which moves Position.
			if err := s.sendStatus(conn, ping || !d.open); err != nil {
				return err
			}
			next = time.Now().Add(statusInterval)
		}
		msg, err := s.receive(ctx, conn, next)
		if errors.Is(err, errInterrupted) {
			continue
		}
		if err != nil {
			return fmt.Errorf("read replication slot %s after %s: %w", s.cfg.Slot, s.Position(), err)
		}
		if err := s.handle(ctx, conn, d, msg); err != nil {
			return err
		}
	}
}

// startReplication streams the slot from its consistent point. Logical
// messages (pg_logical_emit_message, PostgreSQL 14+) are requested so that a
// caller's marker also moves Position.
func (s *PostgresStream) startReplication(ctx context.Context, conn *pgconn.PgConn) error {
	pub := strings.ReplaceAll(pgx.Identifier{s.cfg.Publication}.Sanitize(), "'", "''")
	args := []string{"proto_version '1'", "publication_names '" + pub + "'"}
	if serverMajor(conn) >= 14 {
		args = append(args, "messages 'true'")
	}
	s.mu.Lock()
	start := s.start
	s.mu.Unlock()
	err := pglogrepl.StartReplication(ctx, conn, s.cfg.Slot, start,
		pglogrepl.StartReplicationOptions{Mode: pglogrepl.LogicalReplication, PluginArgs: args})
	if err != nil {
		return fmt.Errorf("start streaming replication slot %s at %s: %w", s.cfg.Slot, start, err)
	}
	s.mu.Lock()
	s.streaming = true
	s.mu.Unlock()
	return nil
}

// serverMajor reads the major version the server announced at connect; 0 if
// it cannot be read.
func serverMajor(conn *pgconn.PgConn) int {
	v := conn.ParameterStatus("server_version")
	end := strings.IndexFunc(v, func(r rune) bool { return r < '0' || r > '9' })
	if end >= 0 {
		v = v[:end]
	}
	n, _ := strconv.Atoi(v)
	return n
}

// receive waits for the next message until deadline; a WaitFor ping cuts
// the wait short so the request for a keepalive goes out at once.
func (s *PostgresStream) receive(ctx context.Context, conn *pgconn.PgConn, deadline time.Time) (pgproto3.BackendMessage, error) {
	rctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	s.mu.Lock()
	s.interrupt = cancel
	ping := s.ping
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.interrupt = nil
		s.mu.Unlock()
	}()
	if ping {
		return nil, errInterrupted
	}
	msg, err := conn.ReceiveMessage(rctx)
	if err != nil && ctx.Err() == nil && rctx.Err() != nil {
		return nil, errInterrupted // deadline or ping; the connection stays usable
	}
	return msg, err
}

// handle processes one message of the copy stream.
func (s *PostgresStream) handle(ctx context.Context, conn *pgconn.PgConn, d *pgDecoder, msg pgproto3.BackendMessage) error {
	switch m := msg.(type) {
	case *pgproto3.CopyData:
		return s.handleCopyData(ctx, conn, d, m.Data)
	case *pgproto3.ErrorResponse:
		return fmt.Errorf("replication slot %s: %w", s.cfg.Slot, pgconn.ErrorResponseToPgError(m))
	case *pgproto3.CopyDone:
		return fmt.Errorf("replication slot %s: the server ended the stream at %s", s.cfg.Slot, s.Position())
	}
	return nil // notices, parameter changes
}

func (s *PostgresStream) handleCopyData(ctx context.Context, conn *pgconn.PgConn, d *pgDecoder, data []byte) error {
	if len(data) == 0 {
		return nil
	}
	switch data[0] {
	case pglogrepl.PrimaryKeepaliveMessageByteID:
		ka, err := pglogrepl.ParsePrimaryKeepaliveMessage(data[1:])
		if err != nil {
			return fmt.Errorf("replication slot %s: parse keepalive: %w", s.cfg.Slot, err)
		}
		if !d.open {
			// Everything the server decoded before its WAL end was sent before
			// this keepalive, and nothing of it is pending here.
			s.advance(ka.ServerWALEnd, 0)
		}
		if ka.ReplyRequested {
			return s.sendStatus(conn, false)
		}
	case pglogrepl.XLogDataByteID:
		xld, err := pglogrepl.ParseXLogData(data[1:])
		if err != nil {
			return fmt.Errorf("replication slot %s: parse XLogData: %w", s.cfg.Slot, err)
		}
		p, err := d.handle(ctx, xld.WALData)
		if err != nil {
			return fmt.Errorf("replication slot %s at %s: %w", s.cfg.Slot, xld.WALStart, err)
		}
		if p.lsn != 0 {
			s.advance(p.lsn, p.lag())
		}
	}
	return nil
}

// sendStatus confirms Position as written, flushed and applied: only what
// reached the sink, so a restart from the slot loses nothing; with
// Confirmed, only up to the checkpoint, so a restart from it does not.
func (s *PostgresStream) sendStatus(conn *pgconn.PgConn, reply bool) error {
	pos := s.Position()
	if s.cfg.Confirmed != nil {
		pos = min(pos, s.cfg.Confirmed())
	}
	err := pglogrepl.SendStandbyStatusUpdate(context.Background(), conn, pglogrepl.StandbyStatusUpdate{
		WALWritePosition: pos, WALFlushPosition: pos, WALApplyPosition: pos, ReplyRequested: reply,
	})
	if err != nil {
		return fmt.Errorf("replication slot %s: confirm position %s: %w", s.cfg.Slot, pos, err)
	}
	return nil
}
