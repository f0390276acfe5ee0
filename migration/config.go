// Package migration runs one online ALTER: preflight, shadow, stream, copy,
// apply, cut-over, cleanup, and reports what it left behind on every exit.
package migration

import (
	"io"
	"time"

	"github.com/hotswap/hotswap/dialect/mysql"
	"github.com/hotswap/hotswap/throttle"
	"github.com/rs/zerolog"
)

// Config is one run's settings, as given on the command line.
type Config struct {
	Conn  mysql.Config
	Table string
	Alter string

	Execute            bool
	ChunkSize          int
	Threads            int
	CutOverLockTimeout time.Duration
	DefaultRetries     int
	PostponeFlagFile   string
	InitiallyDropGhost bool
	InitiallyDropOld   bool
	OkToDropTable      bool
	SkipChecksum       bool

	// Throttling and control (issue 4); gh-ost names in the CLI.
	Throttle            *throttle.Settings // nil: defaults
	HeartbeatInterval   time.Duration
	ServeSocketFile     string
	ServeTCPPort        int // 0: none; control.AnyPort: a free one
	ForceNamedCutOver   bool
	ForceNamedPanic     bool
	PanicFlagFile       string
	HooksPath           string
	HooksStatusInterval time.Duration

	Log      zerolog.Logger
	Out      io.Writer // the plan of a dry run and the final summary
	Progress io.Writer // a live progress line (a terminal); nil: progress goes to the log
}

func (c *Config) defaults() {
	if c.ChunkSize <= 0 {
		c.ChunkSize = 1000
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
	if c.HooksStatusInterval <= 0 {
		c.HooksStatusInterval = time.Minute
	}
}
