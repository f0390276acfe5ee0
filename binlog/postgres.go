package binlog

import (
	"context"
	"fmt"
	"regexp"
	"sync"
	"time"

	"github.com/jackc/pglogrepl"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/rs/zerolog"
)

// PostgresConfig tells the stream where to connect and which table to follow.
type PostgresConfig struct {
	// ConnString is a postgres:// URL (or key=value string) of a role with
	// REPLICATION; the stream adds replication=database itself.
	ConnString string
	// Slot is the logical slot Start creates (permanent, pgoutput): lower
	// case letters, digits and underscores, as the server requires. Slot
	// names are cluster-wide. The caller drops it (postgres.DropSlot).
	Slot string
	// Publication must exist, created by the caller before Start.
	Publication   string
	Schema, Table string
	// RelationID, if set, is the table's OID: its changes are matched by it
	// alone, whatever its name (a publication follows its table across
	// renames: a revert window's stream follows the shadow, which the
	// cut-over renames to Table). Schema and Table then only name it in
	// messages. 0: matched by Schema and Table the first time, by OID after.
	RelationID uint32
	// Skip, if set, is called at each BEGIN with the transaction's commit
	// position (BeginMessage.FinalLSN) and xid: true, and the transaction's
	// changes reach no sink, though Position moves past it. A revert
	// window's stream skips what committed up to the cut-over this way.
	Skip func(commit pglogrepl.LSN, xid uint32) bool
	// KeyColumns are the columns of the table's replica identity (or any of
	// them, or any columns under REPLICA IDENTITY FULL), in key order; see
	// postgres.ReplicaIdentityKey.
	KeyColumns []string
	// OnTxn, if set, is called from Run's goroutine with the xid of a
	// transaction (from its BEGIN) right before the first sink.Add of that
	// transaction's keys; every Add until the next OnTxn carries keys of that
	// xid only. Transactions that changed no row of the table are not
	// reported. The applier uses it to wait until the transaction is visible
	// to its reads (pg_visible_in_snapshot) before resyncing those keys.
	OnTxn func(xid uint32)
	// Confirmed, if set, bounds the position confirmed to the server: the
	// slot keeps the WAL after it, so a run that crashes can restart from
	// its checkpoint. nil confirms everything handed to the sink.
	Confirmed func() pglogrepl.LSN
	Log       zerolog.Logger
}

// PostgresStream follows a pgoutput logical replication slot and reports the
// keys of the table's changed rows to a sink. Start, then Run (once), then
// Close; Position, Lag and WaitFor may be called from any goroutine.
type PostgresStream struct {
	cfg PostgresConfig

	mu        sync.Mutex
	conn      *pgconn.PgConn // owned by Run while it runs
	start     pglogrepl.LSN
	pos       pglogrepl.LSN // end of the last transaction handed to the sink
	lag       time.Duration
	changed   chan struct{} // closed and replaced whenever pos advances or the stream ends
	running   bool
	streaming bool // START_REPLICATION was sent: the connection is in copy mode
	done      bool
	err       error
	closed    bool
	stop      context.CancelFunc // ends Run, for Close
	stopped   chan struct{}      // closed when Run returns
	ping      bool               // WaitFor wants a keepalive now
	interrupt context.CancelFunc // ends Run's current receive so the ping goes out
}

// NewPostgresStream prepares a stream; Start connects.
func NewPostgresStream(cfg PostgresConfig) *PostgresStream {
	return &PostgresStream{cfg: cfg, changed: make(chan struct{})}
}

var slotName = regexp.MustCompile(`^[a-z0-9_]{1,63}$`)

// Start connects and creates the slot (without exporting a snapshot: the
// copy reads in short transactions of its own) and returns its consistent
// point: Run streams every transaction that commits after it. Creating the
// slot waits for the transactions running at that moment to end; ctx bounds
// the wait.
func (s *PostgresStream) Start(ctx context.Context) (pglogrepl.LSN, error) {
	if !slotName.MatchString(s.cfg.Slot) {
		return 0, fmt.Errorf("replication slot name %q: use 1-63 lower case letters, digits and underscores", s.cfg.Slot)
	}
	s.mu.Lock()
	busy := s.conn != nil || s.closed
	s.mu.Unlock()
	if busy {
		return 0, fmt.Errorf("start replication slot %s: stream already started or closed", s.cfg.Slot)
	}
	conn, err := connectReplication(ctx, s.cfg.ConnString)
	if err != nil {
		return 0, err
	}
	lsn, err := createSlot(ctx, conn, s.cfg.Slot)
	if err != nil {
		_ = conn.Close(context.Background())
		return 0, err
	}
	s.mu.Lock()
	s.conn, s.start, s.pos = conn, lsn, lsn
	s.mu.Unlock()
	s.cfg.Log.Info().Str("slot", s.cfg.Slot).Stringer("lsn", lsn).Msg("replication slot created")
	return lsn, nil
}

// Resume connects to the existing slot of an earlier run to stream from
// lsn, a position that run checkpointed (the slot kept the WAL after it).
func (s *PostgresStream) Resume(ctx context.Context, lsn pglogrepl.LSN) error {
	s.mu.Lock()
	busy := s.conn != nil || s.closed
	s.mu.Unlock()
	if busy {
		return fmt.Errorf("resume replication slot %s: stream already started or closed", s.cfg.Slot)
	}
	conn, err := connectReplication(ctx, s.cfg.ConnString)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.conn, s.start, s.pos = conn, lsn, lsn
	s.mu.Unlock()
	s.cfg.Log.Info().Str("slot", s.cfg.Slot).Stringer("lsn", lsn).Msg("replication slot resumed")
	return nil
}

// connectReplication opens a walsender connection. Its session settings
// make pgoutput's text values unambiguous for any reader: ISO dates and
// floats printed exactly.
func connectReplication(ctx context.Context, connString string) (*pgconn.PgConn, error) {
	cfg, err := pgconn.ParseConfig(connString)
	if err != nil {
		return nil, fmt.Errorf("parse PostgreSQL connection string: %w", err)
	}
	cfg.RuntimeParams["replication"] = "database"
	cfg.RuntimeParams["DateStyle"] = "ISO"
	cfg.RuntimeParams["extra_float_digits"] = "3"
	if cfg.RuntimeParams["application_name"] == "" {
		cfg.RuntimeParams["application_name"] = "hotswap"
	}
	conn, err := pgconn.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open replication connection to %s:%d as %s: %w", cfg.Host, cfg.Port, cfg.User, err)
	}
	return conn, nil
}

func createSlot(ctx context.Context, conn *pgconn.PgConn, slot string) (pglogrepl.LSN, error) {
	res, err := pglogrepl.CreateReplicationSlot(ctx, conn, slot, "pgoutput", pglogrepl.CreateReplicationSlotOptions{
		Mode:           pglogrepl.LogicalReplication,
		SnapshotAction: "NOEXPORT_SNAPSHOT",
	})
	if err != nil {
		return 0, fmt.Errorf("create replication slot %s (slot names are cluster-wide; a leftover one is dropped with pg_drop_replication_slot): %w", slot, err)
	}
	lsn, err := pglogrepl.ParseLSN(res.ConsistentPoint)
	if err != nil {
		return 0, fmt.Errorf("replication slot %s: consistent point %q: %w", slot, res.ConsistentPoint, err)
	}
	return lsn, nil
}

// Position is the end of the last transaction whose changes reached the
// sink; when no transaction is open it also follows the server's decoded
// WAL end, so it passes any LSN of the server even on an idle table.
func (s *PostgresStream) Position() pglogrepl.LSN {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pos
}

// RestartPosition is Position as text: a stream resumed from the slot there
// sees every change not yet handed to the sink.
func (s *PostgresStream) RestartPosition() string { return s.Position().String() }

// Lag is how old the last transaction read was when its commit was read;
// zero once the server reports nothing more to send.
func (s *PostgresStream) Lag() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lag
}

// advance moves Position forward (never back) and wakes WaitFor.
func (s *PostgresStream) advance(lsn pglogrepl.LSN, lag time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lag = max(0, lag)
	if lsn > s.pos {
		s.pos = lsn
		s.notifyLocked()
	}
}

func (s *PostgresStream) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}
