package engine

import (
	"context"
	"database/sql"
	"time"

	"github.com/hotswap/hotswap/copier"
	"github.com/hotswap/hotswap/internal/dbconn"
	"github.com/hotswap/hotswap/throttle"
)

// Backfill is what differs between the engines in a chunked data change
// (package backfill runs it): the table, its chunks' SQL, the run lock and
// the checkpoint table.
type Backfill interface {
	// Open connects, takes the table's run lock (no backfill or migration
	// of the table runs beside), and loads the table and its key.
	Open(ctx context.Context) error
	// Chunks is the chunk SQL: the copier's source, and a dry run's sample.
	Chunks() BackfillChunks
	// Key is the columns chunks are cut by (after Open).
	Key() []string
	// Check runs the statement on no rows, to refuse a bad one before any change.
	Check(ctx context.Context) error
	EstimateRows(ctx context.Context) int64
	Primary() *sql.DB
	ThrottleSQL() throttle.Dialect
	OpenReplica(ctx context.Context, host string, port int) (*sql.DB, error)
	CheckpointTable() string
	CreateCheckpoint(ctx context.Context) error
	SaveCheckpoint(ctx context.Context, stmt, state string) error
	LoadCheckpoint(ctx context.Context) (stmt, state string, found bool, err error)
	CheckpointExists(ctx context.Context) (bool, error)
	DropCheckpoint(ctx context.Context) error
	Close()
}

// BackfillChunks is a dialect's chunked statement.
type BackfillChunks interface {
	copier.Source
	Statement(lo, hi []any) (string, []any)
	Count(ctx context.Context, lo, hi []any) (int64, error)
}

// BackfillSpec is one backfill as an engine sees it.
type BackfillSpec struct {
	Conn   dbconn.Config
	Schema string // PostgreSQL: the table's schema
	Table  string
	// Set and Where, or Template (see backfill.Config).
	Set, Where, Template string
	LockWait             time.Duration
	// SessionSchema is where the change's unqualified names are looked up,
	// as in its author's client session: MySQL the chunk sessions' default
	// database, PostgreSQL the schema first on their search_path (then
	// public); "" is the connection's own (Conn.Database; the role's
	// search_path).
	SessionSchema string
}

// NewBackfill builds kind's backfill engine.
func NewBackfill(kind string, spec BackfillSpec) (Backfill, error) {
	d, err := lookup(kind)
	if err != nil {
		return nil, err
	}
	return d.NewBackfill(spec), nil
}
