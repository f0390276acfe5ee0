package control

import (
	"io"
	"time"

	"github.com/hotswap/hotswap/throttle"
)

// Settings are the throttling and control settings every kind of run takes
// (alter, backfill), with gh-ost's names on the command line. A run's config
// embeds them, so one set of flags fills every kind.
type Settings struct {
	Throttle            *throttle.Settings // nil: defaults
	HeartbeatInterval   time.Duration      // the heartbeat written for the replica lag check
	ServeSocketFile     string             // "": no socket
	ServeTCPPort        int                // 0: none; AnyPort: a free one
	PanicFlagFile       string             // abort when this file appears
	HooksPath           string             // directory of hook executables
	HooksStatusInterval time.Duration      // between on-status hooks
	Progress            io.Writer          // a live progress line (a terminal); nil: progress goes to the log
	MetricsAddress      string             // host:port of the Prometheus endpoint (package metrics); "": none
	MetricsLinger       time.Duration      // how long the endpoint outlives the run, serving its final state
	// MetricsBoard, when set, is the endpoint the run reports through
	// instead of one of its own (a migrate's, shared by all its runs).
	MetricsBoard Board
}

// Board is a metrics endpoint several runs report through: Add reports a
// run's status until end, which keeps its last one.
type Board interface {
	Add(status func() Status) (end func())
}
