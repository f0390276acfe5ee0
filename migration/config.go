// Package migration runs one online ALTER: preflight, shadow, stream, copy,
// apply, cut-over, cleanup, and reports what it left behind on every exit.
package migration

import (
	"io"
	"time"

	"github.com/hotswap/hotswap/control"
	"github.com/hotswap/hotswap/engine"
	"github.com/hotswap/hotswap/internal/dbconn"
	"github.com/hotswap/hotswap/throttle"
	"github.com/rs/zerolog"
)

// Engines a Config may name.
const (
	EngineMySQL    = engine.MySQL // MySQL and MariaDB; the default
	EnginePostgres = engine.Postgres
)

// Config is one run's settings, as given on the command line.
type Config struct {
	Engine string // EngineMySQL ("" too) or EnginePostgres
	// Conn reaches the server, whatever the engine.
	Conn   dbconn.Config
	Schema string // PostgreSQL: the table's schema; "" is public
	Table  string
	Alter  string

	Execute            bool
	ChunkSize          int           // rows per chunk, fixed; 0: sized by ChunkTime
	ChunkTime          time.Duration // target duration of a chunk when ChunkSize is 0 (default 500ms)
	Threads            int
	CutOverLockTimeout time.Duration
	DefaultRetries     int
	PostponeFlagFile   string
	InitiallyDropGhost bool
	InitiallyDropOld   bool
	OkToDropTable      bool
	SkipChecksum       bool
	// FullChecksum compares every row at the consistent point, instead of
	// only those not already compared after their copy and unchanged since
	// (early_checksum.go); it also finds changes the stream never saw.
	FullChecksum      bool
	AttemptInstantDDL bool // try the ALTER in place first when the server can do it without copying
	// InstantOnly: with AttemptInstantDDL, end the run when the server
	// cannot make the change in place (its shadow dropped, nothing changed,
	// Instant false) instead of copying online.
	InstantOnly bool
	// Resume continues the run a checkpoint table records (after a crash or
	// a failure), instead of starting one.
	Resume             bool
	CheckpointInterval time.Duration // between checkpoints (default 2s)
	// KillBlockersAfter (PostgreSQL): once cut-over lock waits total this
	// long, cancel, then terminate, the sessions blocking the lock. 0: never.
	KillBlockersAfter time.Duration
	// RevertWindow keeps the run alive this long after the cut-over, the old
	// table kept current, so that a revert swaps it back (revert.go). 0: none.
	RevertWindow time.Duration
	// RevertFrom reverts a migration that has ended (MySQL/MariaDB): the
	// binary log is replayed from this cut-over position into the old table,
	// which then swaps back in (revert.go). Alter must be the migration's.
	RevertFrom string

	// Throttling and control, as every kind of run takes them; and, for an
	// alter only, whether cut-over and panic must name the table.
	control.Settings
	ForceNamedCutOver bool
	ForceNamedPanic   bool

	Log zerolog.Logger
	Out io.Writer // the plan of a dry run and the final summary

	// inSet: the run is one table of a Set; a --resume then starts afresh
	// a table whose run made no checkpoint table (engine.Spec.NoCheckpointStarts).
	inSet bool
	// setTables are the tables of the Set the run is one of (engine.Spec.SetTables).
	setTables []string
}

func (c *Config) defaults() {
	if c.Engine == EnginePostgres && c.Schema == "" {
		c.Schema = "public"
	}
	if c.Threads <= 0 {
		c.Threads = 2
	}
	if c.CutOverLockTimeout <= 0 {
		c.CutOverLockTimeout = 3 * time.Second
	}
	if c.DefaultRetries <= 0 {
		c.DefaultRetries = 60
	}
	if c.Out == nil {
		c.Out = io.Discard
	}
	if c.Throttle == nil {
		c.Throttle = throttle.NewSettings()
	}
	if c.CheckpointInterval <= 0 {
		c.CheckpointInterval = 2 * time.Second
	}
	if c.HooksStatusInterval <= 0 {
		c.HooksStatusInterval = time.Minute
	}
}

// tableName is the migrated table as the user knows it (database.table on
// MySQL, schema.table on PostgreSQL).
func (m *Migration) tableName() string {
	if m.cfg.Engine == EnginePostgres {
		return m.cfg.Schema + "." + m.cfg.Table
	}
	return m.cfg.Conn.Database + "." + m.cfg.Table
}

// spec is what the engine is told of the run; it never changes it.
func (m *Migration) spec() engine.Spec {
	c := m.cfg
	return engine.Spec{Conn: c.Conn, Schema: c.Schema, Table: c.Table, Alter: c.Alter, TableName: m.tableName(),
		Execute: c.Execute, Resume: c.Resume, InitiallyDropGhost: c.InitiallyDropGhost, InitiallyDropOld: c.InitiallyDropOld,
		OkToDropTable: c.OkToDropTable, CutOverLockTimeout: c.CutOverLockTimeout, KillBlockersAfter: c.KillBlockersAfter,
		Threads: c.Threads, RevertWindow: c.RevertWindow, RevertFrom: c.RevertFrom, Log: c.Log, Out: c.Out,
		NoCheckpointStarts: c.inSet && c.Resume, SetTables: c.setTables}
}
