package migration

import (
	"context"
	"database/sql"
	"io"
	"time"

	"github.com/hotswap/hotswap/applier"
	"github.com/hotswap/hotswap/binlog"
	"github.com/hotswap/hotswap/checksum"
	"github.com/hotswap/hotswap/copier"
	"github.com/hotswap/hotswap/throttle"
)

// The applier is the sink of every stream (binlog does not import it).
var _ binlog.Sink = (*applier.Applier)(nil)

// engine is everything that differs between MySQL/MariaDB and PostgreSQL:
// every SQL statement and the change stream. The order of a run, the
// throttler, control socket, hooks and progress belong to the Migration.
//
// An engine sets m.shadow, m.old and m.estimate, and uses m.applier (built
// by the Migration from rows()) for its catch-ups.
type engine interface {
	// connect, preflight and prepareShadow may refuse the run: nothing is
	// changed but a shadow prepareShadow drops again on its own errors.
	connect(ctx context.Context) error
	preflight(ctx context.Context) error
	prepareShadow(ctx context.Context) error
	printPlan(ctx context.Context, out io.Writer) error
	// alterInstant runs the ALTER on the table itself if the server can do
	// it without copying; otherwise it says why not and changes nothing.
	alterInstant(ctx context.Context) (done bool, why string, err error)
	dropShadow(ctx context.Context) error

	// beforeCopy drops the shadow's indexes that are cheaper to build once
	// after the copy and returns the statements that build them; afterCopy
	// runs those (also for a resume, which may find some built already).
	beforeCopy(ctx context.Context) ([]string, error)
	afterCopy(ctx context.Context, builds []string) error

	// startStream fixes the position from which every change is streamed;
	// it runs before the copy starts.
	startStream(ctx context.Context) error
	runStream(ctx context.Context, sink binlog.Sink) error
	streamLag() time.Duration
	// tasks are the engine's own background work during the run.
	tasks() map[string]func(context.Context) error
	// rowSync is the copier's source and the applier's online resync.
	rowSync() (copier.Source, applier.ResyncFunc)
	// resyncReady, when not nil, is called before each online resync of a
	// batch, untimed (applier.Options.Ready).
	resyncReady() applier.ResyncFunc
	// primary is the pool the throttler's queries run on, throttleSQL
	// their SQL; openReplica opens a throttle-control replica.
	primary() *sql.DB
	throttleSQL() throttle.Dialect
	openReplica(ctx context.Context, host string, port int) (*sql.DB, error)

	// caughtUp returns once the stream has read up to the server's present.
	caughtUp(ctx context.Context) error
	// checksumPoint opens snapshots that all see source and shadow at one
	// moment; done ends them.
	checksumPoint(ctx context.Context) (snaps []checksum.Snapshot, done func(), err error)
	// checksumTarget prepares a standalone checksum (Checksum) of the table
	// against shadow ("": the shadow a run would create), holding the run
	// lock.
	checksumTarget(ctx context.Context, shadow string) (*checksumTarget, error)
	cutOverAttempt(ctx context.Context) error

	finish(ctx context.Context, out io.Writer) error
	reportLeftovers(ctx context.Context, out io.Writer)
	// leftovers takes the run lock and lists what dead runs left (Cleanup).
	leftovers(ctx context.Context) ([]leftoverObject, error)
	// close releases the engine's resources on every exit path (for
	// PostgreSQL, the slot and the publication).
	close()

	resumable
}

// resumable is the engine's part in checkpoints and --resume (checkpoint.go).
type resumable interface {
	createCheckpoint(ctx context.Context) error
	saveCheckpoint(ctx context.Context, alter, state string) error
	loadCheckpoint(ctx context.Context) (alter, state string, found bool, err error)
	dropCheckpoint(ctx context.Context) error
	// restartPosition is where a resumed stream would start: every change
	// before it has been handed to the applier.
	restartPosition() string
	// checkpointed says a checkpoint with this position is saved (the
	// PostgreSQL slot may then release the WAL before it).
	checkpointed(pos string)
	// resumeStream starts the stream at a checkpointed position, instead of
	// startStream.
	resumeStream(ctx context.Context, pos string) error
	// columns describes the source's and the shadow's columns.
	columns() string
}
