// Package engine is the seam between a run and the server it runs on: the
// Engine interface every engine package implements (engine/mysql for MySQL
// and MariaDB, engine/postgres for PostgreSQL), the read-only Spec it is built
// from, and the Plan it returns. The runner (package migration) imports this
// package only: it never sees a driver, a dialect or a stream's type.
package engine

import (
	"context"
	"database/sql"
	"io"
	"time"

	"github.com/hotswap/hotswap/applier"
	"github.com/hotswap/hotswap/checksum"
	"github.com/hotswap/hotswap/copier"
	"github.com/hotswap/hotswap/internal/dbconn"
	"github.com/hotswap/hotswap/throttle"
	"github.com/rs/zerolog"
)

// Engine is everything that differs between MySQL/MariaDB and PostgreSQL in
// an online ALTER: every statement, the change stream, the checksum point and
// the cut-over. The order of a run, the throttler, control socket, hooks and
// progress belong to the runner. An engine is built from a Spec it never
// changes, and says what it decided (Plan, the row estimate) by returning it.
type Engine interface {
	// Connect, Preflight and PrepareShadow may refuse the run (job.Refused):
	// nothing is changed but a shadow PrepareShadow drops again on its own
	// errors.
	Connect(ctx context.Context) error
	Preflight(ctx context.Context) (Plan, error)
	// PrepareShadow creates the shadow with the ALTER applied (a resume
	// finds the one the run left) and returns the source's estimated rows.
	PrepareShadow(ctx context.Context) (estimate int64, err error)
	PrintPlan(ctx context.Context, out io.Writer) error
	// AlterInstant runs the ALTER on the table itself if the server can do
	// it without copying; otherwise it says why not and changes nothing.
	AlterInstant(ctx context.Context) (done bool, why string, err error)
	// DropShadow drops the shadow if this run created it.
	DropShadow(ctx context.Context) error

	// BeforeCopy drops the shadow's indexes that are cheaper to build once
	// after the copy and returns the statements that build them; AfterCopy
	// runs those (also for a resume, which may find some built already).
	BeforeCopy(ctx context.Context) ([]string, error)
	AfterCopy(ctx context.Context, builds []string) error

	// StartStream fixes the position from which every change is streamed;
	// it runs before the copy starts. ResumeStream starts instead at a
	// checkpointed position.
	StartStream(ctx context.Context) error
	ResumeStream(ctx context.Context, pos string) error
	Stream

	// RowSync is the copier's source and the applier's online resync.
	RowSync() (copier.Source, applier.ResyncFunc)
	// ResyncReady, when not nil, is called before each online resync of a
	// batch, untimed (applier.Options.Ready).
	ResyncReady() applier.ResyncFunc
	// Attach gives the engine the run's applier (built from RowSync): its
	// catch-ups drain it, its checksum point and cut-over pause it.
	Attach(a *applier.Applier)

	// Primary is the pool the throttler's queries run on, ThrottleSQL their
	// SQL; OpenReplica opens a throttle-control replica.
	Primary() *sql.DB
	ThrottleSQL() throttle.Dialect
	OpenReplica(ctx context.Context, host string, port int) (*sql.DB, error)

	// ChecksumPoint opens Spec.Threads snapshots that all see source and
	// shadow at one moment; done ends them.
	ChecksumPoint(ctx context.Context) (snaps []checksum.Snapshot, done func(), err error)
	// ChecksumTarget prepares a standalone checksum of the table against
	// shadow ("": the shadow a run would create), holding the run lock.
	ChecksumTarget(ctx context.Context, shadow string) (*ChecksumTarget, error)
	CutOverAttempt(ctx context.Context) error

	// Finish drops the old table when asked and says what was left; took is
	// the run's duration.
	Finish(ctx context.Context, out io.Writer, took time.Duration) error
	// ReportLeftovers says, after a failed run, what remains and what to do.
	ReportLeftovers(ctx context.Context, out io.Writer, keptForResume bool)
	// Leftovers takes the run lock and lists what dead runs left (cleanup).
	Leftovers(ctx context.Context) ([]Leftover, error)
	// Close releases the engine's resources on every exit path (PostgreSQL:
	// the slot and the publication, unless keptForResume).
	Close(keptForResume bool)

	Checkpoints
	Reversing
}

// CutOverSet is an engine that cuts over together with others of its own
// kind, on the same server and database (MySQL) or schema (PostgreSQL):
// every table swaps in one step (one RENAME, one transaction) or none does,
// and the lock budget (the receiver's Spec.CutOverLockTimeout) is the whole
// set's. Each engine's applier is paused and caught up as in its own
// CutOverAttempt. Errors are as CutOverAttempt's (engine.NoRetry included).
type CutOverSet interface {
	CutOverTogether(ctx context.Context, others []Engine) error
}

// Stream is a change stream as the runner drives it: the run's (the table's
// changes into the shadow) and a revert window's (back into the old table).
type Stream interface {
	RunStream(ctx context.Context, sink applier.Sink) error
	StreamLag() time.Duration
	// CaughtUp returns once the stream has read up to the server's present.
	CaughtUp(ctx context.Context) error
	// RestartPosition is where a resumed stream would start: every change
	// before it has been handed to the sink.
	RestartPosition() string
	// Checkpointed says a checkpoint with this position is saved (the
	// PostgreSQL slot may then release the WAL before it).
	Checkpointed(pos string)
	// Tasks are the engine's own background work while the stream runs.
	Tasks() map[string]func(context.Context) error
}

// Checkpoints is the engine's part in checkpoints and --resume.
type Checkpoints interface {
	CreateCheckpoint(ctx context.Context) error
	SaveCheckpoint(ctx context.Context, alter, state string) error
	LoadCheckpoint(ctx context.Context) (alter, state string, found bool, err error)
	DropCheckpoint(ctx context.Context) error
	// Columns describes the source's and the shadow's columns.
	Columns() string
}

// EarlySnapshots is an engine whose checksum is done early, range by range
// while the copy goes on (migration's early_checksum.go says which and why).
type EarlySnapshots interface {
	// Snapshot opens one snapshot that reads source and shadow at one
	// moment (any moment); done ends it.
	Snapshot(ctx context.Context) (snap checksum.Snapshot, done func(), err error)
}

// Spec is one run as an engine sees it; the engine never changes it.
type Spec struct {
	Conn   dbconn.Config
	Schema string // PostgreSQL: the table's schema
	Table  string
	Alter  string
	// TableName is the table as the user knows it (database.table on
	// MySQL, schema.table on PostgreSQL), for messages.
	TableName string

	Execute, Resume bool
	// NoCheckpointStarts: a --resume of one table of a set (alter
	// --statement) whose run had made no checkpoint table yet: the table's
	// run starts afresh (dropping its shadow), or, when its old table is
	// there and the shadow is not, the set's cut-over is done (ResumeDone).
	NoCheckpointStarts bool
	// SetTables are the tables switched together in a several-table run
	// (alter --statement), this one included; nil for a run of one table.
	SetTables                                           []string
	InitiallyDropGhost, InitiallyDropOld, OkToDropTable bool
	CutOverLockTimeout                                  time.Duration
	KillBlockersAfter                                   time.Duration // PostgreSQL only
	Threads                                             int           // connections of a checksum point
	// RevertWindow: the old table is kept current after the cut-over for
	// this long (engine.Reversing); 0: no revert window.
	RevertWindow time.Duration
	// RevertFrom: the run reverts an ended migration (MySQL/MariaDB): the
	// binary log is replayed from this cut-over position into the old table,
	// which then swaps back; the preflight plans it as ResumeDone.
	RevertFrom string

	Log zerolog.Logger
	Out io.Writer // what the user reads: plans, leftovers, a resume started over
}

// Plan is what an engine's preflight settled.
type Plan struct {
	Shadow, Old, Checkpoint string // the tables the run creates or resumes
	// Reverted is the name the table with the new schema takes if the
	// run is reverted in its window ("" without a revert window).
	Reverted string
	// Resume: the run continues from the checkpoint (false once a --resume
	// of a run killed before its first checkpoint started it over).
	Resume bool
	// ResumeDone: the --resume found the earlier run's cut-over completed;
	// only its checkpoint is left to remove.
	ResumeDone bool
	// RevertDone: the --resume found the earlier run's revert completed
	// (the old table is back, the new one under Reverted).
	RevertDone bool
}

// ChecksumTarget is what an engine found for a standalone checksum: the two
// tables, the columns compared, and how to open snapshots of one moment.
type ChecksumTarget struct {
	Shadow     string // as the user knows it
	KeyColumns []string
	Columns    []string
	LeftOut    []string // columns not compared, each with the reason
	Open       PointFunc
}

// PointFunc opens snapshots that all see one moment, and the func ending them.
type PointFunc func(ctx context.Context) ([]checksum.Snapshot, func(), error)

// NoRetry wraps an error that another attempt would not cure (a checksum
// point's missing privilege, objects bound to a table at its cut-over): the
// runner gives up at once instead of retrying.
type NoRetry struct{ Err error }

func (e NoRetry) Error() string { return e.Err.Error() }
func (e NoRetry) Unwrap() error { return e.Err }

// Leftover is something a run that could not clean up left behind.
type Leftover struct {
	What string // e.g. "shadow table bench._t_new"
	SQL  string // the statement Drop runs, shown first
	Drop func(ctx context.Context) error
}
