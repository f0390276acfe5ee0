package binlog

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	gomysql "github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"
	"github.com/hotswap/hotswap/applier"
	"github.com/hotswap/hotswap/dialect/mysql"
)

// MySQLConfig tells the reader where to connect and which table to follow.
type MySQLConfig struct {
	Host     string
	Port     int
	User     string
	Password string
	MariaDB  bool // selects the replication protocol flavor
	Database string
	Table    string
	Key      KeyDecoder
	// Passes is a statement of hotswap's own on the table that the stream
	// lets pass instead of failing as for another session's DDL: a revert
	// window's stream starts just before the cut-over's RENAME.
	Passes string
	// Parents are the tables whose changes cascade into the table.
	Parents []ParentWatch
}

// MySQLStream follows the binary log from a position and reports the keys
// of the table's changed rows to a sink.
type MySQLStream struct {
	cfg   MySQLConfig
	start mysql.BinlogPos

	mu      sync.Mutex
	pos     mysql.BinlogPos // end of the last event handled
	safe    mysql.BinlogPos // end of the last transaction handled: a restart point
	lag     time.Duration
	changed chan struct{} // closed and replaced whenever pos advances or the stream ends
	done    bool
	err     error
}

// NewMySQLStream prepares a reader from start (a transaction boundary: the
// binlog end, or a restart position); Run starts it.
func NewMySQLStream(cfg MySQLConfig, start mysql.BinlogPos) *MySQLStream {
	return &MySQLStream{cfg: cfg, start: start, pos: start, safe: start, changed: make(chan struct{})}
}

// Run reads from the start position until ctx ends or an error; every change
// to the table reaches sink before the stream's position moves past it.
func (s *MySQLStream) Run(ctx context.Context, sink applier.Sink) error {
	err := s.run(ctx, sink)
	s.mu.Lock()
	s.done, s.err = true, err
	s.notifyLocked()
	s.mu.Unlock()
	return err
}

func (s *MySQLStream) run(ctx context.Context, sink applier.Sink) error {
	start := s.start
	flavor := gomysql.MySQLFlavor
	if s.cfg.MariaDB {
		flavor = gomysql.MariaDBFlavor
	}
	syncer := replication.NewBinlogSyncer(replication.BinlogSyncerConfig{
		ServerID:                uint32(100000 + rand.IntN(1<<30)),
		Flavor:                  flavor,
		Host:                    s.cfg.Host,
		Port:                    uint16(s.cfg.Port),
		User:                    s.cfg.User,
		Password:                s.cfg.Password,
		TimestampStringLocation: time.UTC,
		HeartbeatPeriod:         time.Second,
		ReadTimeout:             30 * time.Second,
		MaxReconnectAttempts:    10,
		Logger:                  slog.New(slog.NewTextHandler(io.Discard, nil)),
		RowsEventDecodeFunc:     s.decodeOwnRows,
	})
	defer syncer.Close()
	streamer, err := syncer.StartSync(gomysql.Position{Name: start.File, Pos: start.Pos})
	if err != nil {
		return fmt.Errorf("start binlog stream at %s: %w", start, err)
	}
	file := start.File
	for {
		ev, err := streamer.GetEvent(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("read binlog after %s: %w", s.Position(), err)
		}
		if rot, ok := ev.Event.(*replication.RotateEvent); ok {
			file = string(rot.NextLogName)
			s.setPos(mysql.BinlogPos{File: file, Pos: uint32(rot.Position)}, 0)
			if rot.Position > 0 {
				s.setSafe(s.Position())
			}
			continue
		}
		if err := s.handle(ctx, ev, sink); err != nil {
			return err
		}
		if ev.Header.LogPos > 0 {
			s.setPos(mysql.BinlogPos{File: file, Pos: ev.Header.LogPos}, ev.Header.Timestamp)
			if endsTransaction(ev) {
				s.setSafe(s.Position())
			}
		}
	}
}

// decodeOwnRows decodes the row images of the migrated table's events only:
// the binlog also carries every row the copy writes into the shadow (and
// other tables' changes), and decoding those was the stream's main CPU cost.
func (s *MySQLStream) decodeOwnRows(e *replication.RowsEvent, data []byte) error {
	pos, err := e.DecodeHeader(data)
	if err != nil {
		return err
	}
	if e.Table == nil || (string(e.Table.Schema) != s.cfg.Database || string(e.Table.Table) != s.cfg.Table) && s.parentOf(e) == nil {
		return nil
	}
	return e.DecodeData(pos, data)
}

// parentOf is the watch following the event's table, nil if none.
func (s *MySQLStream) parentOf(e *replication.RowsEvent) *ParentWatch {
	for i, w := range s.cfg.Parents {
		if w.follows(e) {
			return &s.cfg.Parents[i]
		}
	}
	return nil
}

func (s *MySQLStream) handle(ctx context.Context, ev *replication.BinlogEvent, sink applier.Sink) error {
	switch e := ev.Event.(type) {
	case *replication.RowsEvent:
		if string(e.Table.Schema) != s.cfg.Database || string(e.Table.Table) != s.cfg.Table {
			return s.handleParent(ctx, e)
		}
		keys, err := s.cfg.Key.Keys(e.Rows)
		if err != nil {
			return fmt.Errorf("binlog event for %s: %w", s.cfg.Table, err)
		}
		return sink.Add(ctx, keys)
	case *replication.QueryEvent:
		if s.cfg.Passes != "" && strings.TrimSpace(string(e.Query)) == s.cfg.Passes {
			return nil
		}
		return checkForeignDDL(string(e.Schema), string(e.Query), s.cfg.Database, s.cfg.Table)
	}
	return nil
}

// handleParent hands a followed parent's change to each of its watches
// (one per foreign key referencing it).
func (s *MySQLStream) handleParent(ctx context.Context, e *replication.RowsEvent) error {
	for _, w := range s.cfg.Parents {
		if w.follows(e) {
			if err := w.handle(ctx, e); err != nil {
				return err
			}
		}
	}
	return nil
}

// endsTransaction says whether the stream may restart right after ev: a
// commit (XID) or a statement outside a transaction (DDL, or the COMMIT of
// a non-transactional one). Inside a transaction a restart would meet row
// events without their table map.
func endsTransaction(ev *replication.BinlogEvent) bool {
	switch e := ev.Event.(type) {
	case *replication.XIDEvent:
		return true
	case *replication.QueryEvent:
		return !strings.EqualFold(strings.TrimSpace(string(e.Query)), "BEGIN")
	}
	return false
}

func (s *MySQLStream) setSafe(p mysql.BinlogPos) {
	s.mu.Lock()
	s.safe = p
	s.mu.Unlock()
}

// RestartPosition is where a new stream may start so that it sees every
// change not yet handed to the sink: the end of the last whole transaction
// handled (or the start position), as mysql.BinlogPos.String prints it.
func (s *MySQLStream) RestartPosition() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.safe.String()
}

func (s *MySQLStream) setPos(p mysql.BinlogPos, ts uint32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pos = p
	if ts > 0 {
		s.lag = max(0, time.Since(time.Unix(int64(ts), 0)))
	}
	s.notifyLocked()
}

func (s *MySQLStream) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// Position is the end of the last event whose changes reached the sink.
func (s *MySQLStream) Position() mysql.BinlogPos {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pos
}

// Lag is how old the last event read was when it was read.
func (s *MySQLStream) Lag() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lag
}

// WaitFor blocks until the stream has handled every event before pos, a
// position as mysql.BinlogPos.String prints it.
func (s *MySQLStream) WaitFor(ctx context.Context, pos string) error {
	target, err := mysql.ParseBinlogPos(pos)
	if err != nil {
		return fmt.Errorf("wait for the binlog stream: %w", err)
	}
	return s.waitFor(ctx, target)
}

func (s *MySQLStream) waitFor(ctx context.Context, target mysql.BinlogPos) error {
	for {
		s.mu.Lock()
		pos, ch, done, err := s.pos, s.changed, s.done, s.err
		s.mu.Unlock()
		if !pos.Less(target) {
			return nil
		}
		if done {
			return fmt.Errorf("binlog stream ended at %s before reaching %s: %v", pos, target, err)
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("wait for binlog position %s (at %s): %w", target, pos, ctx.Err())
		}
	}
}
