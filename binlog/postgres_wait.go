package binlog

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pglogrepl"
)

// pingInterval is how often WaitFor asks the server for a keepalive again:
// one reply may carry a WAL end still short of the target, and a drain
// under a cut-over lock should not wait for the idle status interval.
const pingInterval = 200 * time.Millisecond

// WaitFor blocks until Position() >= pos (an LSN as pglogrepl.LSN.String
// prints it), ctx ends, or the stream ends (an error). Take pos with
// postgres.CurrentLSN after the writes that must be seen: it is past every
// earlier commit and already flushed. pg_current_wal_lsn() lags commits
// under synchronous_commit=off, and a position not yet flushed is reached
// only once the server flushes it.
func (s *PostgresStream) WaitFor(ctx context.Context, pos string) error {
	lsn, err := pglogrepl.ParseLSN(pos)
	if err != nil {
		return fmt.Errorf("wait for replication slot %s: position %q: %w", s.cfg.Slot, pos, err)
	}
	return s.waitFor(ctx, lsn)
}

func (s *PostgresStream) waitFor(ctx context.Context, lsn pglogrepl.LSN) error {
	tick := time.NewTicker(pingInterval)
	defer tick.Stop()
	for first := true; ; first = false {
		s.mu.Lock()
		pos, ch, done, err := s.pos, s.changed, s.done, s.err
		if pos < lsn && !done && first {
			s.requestPingLocked()
		}
		s.mu.Unlock()
		if pos >= lsn {
			return nil
		}
		if done {
			return fmt.Errorf("replication stream %s ended at %s before reaching %s: %v", s.cfg.Slot, pos, lsn, err)
		}
		select {
		case <-ch:
		case <-tick.C:
			s.mu.Lock()
			s.requestPingLocked()
			s.mu.Unlock()
		case <-ctx.Done():
			return fmt.Errorf("wait for replication slot %s to reach %s (at %s): %w", s.cfg.Slot, lsn, pos, ctx.Err())
		}
	}
}

// requestPingLocked makes Run ask the server for a keepalive now, cutting
// its current receive short.
func (s *PostgresStream) requestPingLocked() {
	s.ping = true
	if s.interrupt != nil {
		s.interrupt()
	}
}

// takePing reports and clears a pending ping request.
func (s *PostgresStream) takePing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.ping
	s.ping = false
	return p
}
