// Package backfill runs a data change on a big table as a throttled,
// scheduled, resumable background job: the key space is cut into chunks
// (sized by time, as the copy of an online ALTER), each chunk one statement
// in a short transaction of its own, with the same throttler, control
// socket, hooks and progress as `hotswap alter`.
package backfill

import (
	"io"
	"strings"
	"time"

	"github.com/hotswap/hotswap/control"
	"github.com/hotswap/hotswap/copier"
	"github.com/hotswap/hotswap/engine"
	"github.com/hotswap/hotswap/internal/dbconn"
	"github.com/hotswap/hotswap/job"
	"github.com/hotswap/hotswap/throttle"
	"github.com/rs/zerolog"
)

// Engines a Config may name.
const (
	EngineMySQL    = engine.MySQL
	EnginePostgres = engine.Postgres
)

// Config is one backfill's settings, as given on the command line.
type Config struct {
	Engine string
	Conn   dbconn.Config
	Schema string // PostgreSQL: the table's schema ("" is public)
	Table  string

	// The change: Set (and Where) make "UPDATE t SET <Set> WHERE (<Where>)
	// AND <chunk>"; or Template, a whole statement from --sql-file in which
	// {{chunk}} stands for the chunk's key range predicate.
	Set, Where, Template string
	// Assigns is the columns the change writes, when Template is an UPDATE
	// (with Set they are read from it): none may be a column of the key
	// chunks are cut by, as a row moved to another chunk is changed twice
	// or never.
	Assigns []string
	// SessionSchema: where the change's unqualified names are looked up
	// (engine.BackfillSpec); "" is the connection's own.
	SessionSchema string

	Execute, Resume bool
	// ResumeIfAny continues from a checkpoint when there is one and starts
	// afresh when there is none (hotswap migrate, which reruns the same
	// statement until it is done).
	ResumeIfAny bool
	ChunkSize   int           // rows per chunk, fixed; 0: sized by ChunkTime
	ChunkTime   time.Duration // default 500ms
	Threads     int           // chunks at once (default 1)
	LockWait    time.Duration // longest a chunk waits for an application's row lock before it is retried (default 5s)

	// Scheduling: only inside Window (e.g. "01:00-05:00", in WindowTZ,
	// default local time), not before StartAt, and for at most MaxRuntime
	// (then it stops with a checkpoint to --resume from).
	Window     string
	WindowTZ   *time.Location
	StartAt    time.Time
	MaxRuntime time.Duration
	Began      time.Time // when the command started: MaxRuntime counts from it across the runs it makes (zero: when New is called)
	Clock      Clock     // nil: the real clock

	CheckpointInterval time.Duration // default 2s
	DrySample          int           // chunks a dry run counts (default 5)

	// Throttling and control, as for alter.
	control.Settings

	Log zerolog.Logger
	Out io.Writer // the dry run's plan and the summary
}

func (c *Config) defaults() {
	if c.Engine == EnginePostgres && c.Schema == "" {
		c.Schema = "public"
	}
	if c.Threads <= 0 {
		c.Threads = 1
	}
	if c.LockWait <= 0 {
		c.LockWait = 5 * time.Second
	}
	if c.WindowTZ == nil {
		c.WindowTZ = time.Local
	}
	if c.Clock == nil {
		c.Clock = realClock{}
	}
	if c.CheckpointInterval <= 0 {
		c.CheckpointInterval = 2 * time.Second
	}
	if c.DrySample <= 0 {
		c.DrySample = 5
	}
	if c.Throttle == nil {
		c.Throttle = throttle.NewSettings()
	}
	if c.HooksStatusInterval <= 0 {
		c.HooksStatusInterval = time.Minute
	}
	if c.Out == nil {
		c.Out = io.Discard
	}
}

// Refused is an error found before anything was changed: the one kind every
// run shares (job.Refused).
type Refused = job.Refused

func refuse(format string, args ...any) error { return job.Refuse(format, args...) }

// IsRefused says whether err stopped the backfill before any change.
func IsRefused(err error) bool { return job.IsRefused(err) }

// validate checks the settings on their own (no server needed).
func (c *Config) validate() error {
	switch {
	case c.Table == "":
		return refuse("--table is required")
	case c.Set == "" && c.Template == "":
		return refuse("say what to change: --set \"col = expr\" (with --where), or --sql-file with a statement containing %s", copier.ChunkPlaceholder)
	case c.Set != "" && c.Template != "":
		return refuse("--set and --sql-file exclude each other: put the whole statement in the file, with %s where the chunk's key range goes", copier.ChunkPlaceholder)
	case c.Template != "" && c.Where != "":
		return refuse("--where goes with --set; with --sql-file, write the condition into the statement")
	case c.Template != "" && !containsChunk(c.Template):
		return refuse("the --sql-file statement has no %s: without it every chunk would run on the whole table; put it in the WHERE clause, e.g. UPDATE t SET ... WHERE ... AND %s", copier.ChunkPlaceholder, copier.ChunkPlaceholder)
	case c.MaxRuntime < 0:
		return refuse("--max-runtime must not be negative")
	}
	if _, err := ParseWindow(c.Window, c.WindowTZ); err != nil {
		return &Refused{Err: err}
	}
	return nil
}

func containsChunk(s string) bool { return strings.Contains(s, copier.ChunkPlaceholder) }
