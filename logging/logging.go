// Package logging builds hotswap's zerolog logger: one line per event, human
// console output on a terminal, JSON otherwise.
package logging

import (
	"io"
	"os"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/rs/zerolog"
)

// Level names the verbosity flags.
type Level int

const (
	Quiet Level = iota
	Normal
	Verbose
	Debug
)

// New returns a logger writing to w (console format when w is a terminal).
func New(w io.Writer, lvl Level) zerolog.Logger {
	if f, ok := w.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
		if f == os.Stderr { // shared with the live progress line (TerminalProgress)
			w = logSide{stderrScreen()}
		}
		w = zerolog.ConsoleWriter{Out: w, TimeFormat: time.TimeOnly}
	}
	// one logger serves goroutines at once (a fleet's servers, a run's
	// tasks): each line is written whole, whatever w is
	return zerolog.New(zerolog.SyncWriter(w)).Level(zlevel(lvl)).With().Timestamp().Logger()
}

func zlevel(l Level) zerolog.Level {
	switch l {
	case Quiet:
		return zerolog.WarnLevel
	case Verbose:
		return zerolog.DebugLevel
	case Debug:
		return zerolog.TraceLevel
	}
	return zerolog.InfoLevel
}
