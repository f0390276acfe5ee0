package backfill

import (
	"context"
	"database/sql"
	"strings"

	"github.com/hotswap/hotswap/copier"
	"github.com/hotswap/hotswap/throttle"
)

// engine is what differs between MySQL/MariaDB and PostgreSQL.
type engine interface {
	// open connects, takes the table's run lock (no backfill or migration
	// of the table runs beside), and loads the table and its key.
	open(ctx context.Context) error
	// chunks is the chunk SQL: the copier's source, and a dry run's sample.
	chunks() chunkSQL
	check(ctx context.Context) error
	estimateRows(ctx context.Context) int64
	primary() *sql.DB
	throttleSQL() throttle.Dialect
	openReplica(ctx context.Context, host string, port int) (*sql.DB, error)
	checkpointTable() string
	createCheckpoint(ctx context.Context) error
	saveCheckpoint(ctx context.Context, stmt, state string) error
	loadCheckpoint(ctx context.Context) (stmt, state string, found bool, err error)
	checkpointExists(ctx context.Context) (bool, error)
	dropCheckpoint(ctx context.Context) error
	close()
}

// chunkSQL is a dialect's Backfill.
type chunkSQL interface {
	copier.Source
	Statement(lo, hi []any) (string, []any)
	Count(ctx context.Context, lo, hi []any) (int64, error)
}

func containsChunk(s string) bool { return strings.Contains(s, copier.ChunkPlaceholder) }
