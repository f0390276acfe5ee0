package engine

import (
	"context"
	"time"

	"github.com/hotswap/hotswap/internal/dbconn"
)

// Database is a target of versioned migrations (hotswap migrate): its
// history table, the statements a version runs directly, what a statement
// says and the size of the tables it touches. Everything engine-specific of
// a versioned run is here; the runner (package versions) is neutral.
type Database interface {
	// Lock takes the database's migrate lock (one migrate at a time per
	// database), held until Close; false: another migrate holds it.
	Lock(ctx context.Context) (bool, error)
	// EnsureHistory creates the history table if it is missing.
	EnsureHistory(ctx context.Context) error
	// History is every version recorded, by version; none when the history
	// table is not there (status and plan change nothing, not even that).
	History(ctx context.Context) ([]Record, error)
	// Save writes a version's record (inserted or replaced).
	Save(ctx context.Context, r Record) error
	// Exec runs one statement directly, as the engine's own client would.
	Exec(ctx context.Context, stmt string) error
	// Size is the server's estimate of a table's rows and its size on disk
	// (data and indexes); exists is false for a table that is not there.
	Size(ctx context.Context, schema, table string) (rows, bytes int64, exists bool, err error)
	// HasRows says whether the table holds a row, or with nullColumn a row
	// whose nullColumn is NULL; HasDuplicates whether two rows hold the same
	// values in columns, none of them NULL (a unique key allows those).
	// Both stop at the first row that answers; a column that is not there
	// (yet: a pending version adds it) answers false. The lint's data
	// checks (package versions); "" schema as in Size.
	HasRows(ctx context.Context, schema, table, nullColumn string) (bool, error)
	HasDuplicates(ctx context.Context, schema, table string, columns []string) (bool, error)
	// ColumnType is a column's type as the server spells it (MySQL's
	// COLUMN_TYPE, PostgreSQL's format_type); found is false for a column
	// that is not there. The lint's narrow-type rule.
	ColumnType(ctx context.Context, schema, table, column string) (typ string, found bool, err error)
	// Split cuts a file into statements the way the engine's own client
	// would (quotes, comments, DELIMITER or dollar quoting).
	Split(sql string) ([]Statement, error)
	// ParseAlterTable recognizes ALTER TABLE name clauses.
	ParseAlterTable(stmt string) (schema, table, clauses string, ok bool)
	Close() error
}

// Statement is one statement of a migration file.
type Statement struct {
	SQL  string
	Line int // where it starts in its file, 1-based
}

// HistoryTable is the table that records the versions applied to a database.
const HistoryTable = "hotswap_migrations"

// Record is one version in the history table.
type Record struct {
	Version  uint64
	Name     string
	Checksum string // of the up file, hex SHA-256
	State    string // running, postponed, revertible, applied, failed, reverted
	Started  time.Time
	Finished time.Time // zero while running
	Duration time.Duration
	Rows     int64  // rows copied by its online statements
	Steps    string // how each statement ran, JSON (package versions)
	Error    string // why it failed
	Hotswap  string // hotswap's version
	Host     string
}

// OpenDatabase connects to kind's database at conn (PostgreSQL: schema,
// "" for public) for versioned migrations.
func OpenDatabase(ctx context.Context, kind string, conn dbconn.Config, schema string) (Database, error) {
	d, err := lookup(kind)
	if err != nil {
		return nil, err
	}
	return d.OpenDatabase(ctx, conn, schema)
}
