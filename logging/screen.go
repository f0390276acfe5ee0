package logging

import (
	"io"
	"os"
	"sync"

	"github.com/mattn/go-isatty"
)

// screen is a terminal shared by the log and a live progress line that is
// redrawn in place: a log line first clears the progress line (else it
// would be written after the bar, mid-line); the next redraw puts the bar
// back under it.
type screen struct {
	mu   sync.Mutex
	out  io.Writer
	live bool // the progress line is on the screen, without a newline
}

// logSide writes log lines.
type logSide struct{ s *screen }

func (l logSide) Write(p []byte) (int, error) {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	if l.s.live {
		l.s.live = false
		if _, err := io.WriteString(l.s.out, "\r\033[K"); err != nil {
			return 0, err
		}
	}
	return l.s.out.Write(p)
}

// lineSide writes the progress line.
type lineSide struct{ s *screen }

func (l lineSide) Write(p []byte) (int, error) {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	l.s.live = len(p) > 0 && p[len(p)-1] != '\n'
	return l.s.out.Write(p)
}

// stderrScreen is the process's stderr when it is a terminal.
var stderrScreen = sync.OnceValue(func() *screen {
	if !isatty.IsTerminal(os.Stderr.Fd()) {
		return nil
	}
	return &screen{out: os.Stderr}
})

// TerminalProgress is where a live progress line goes: stderr when it is a
// terminal, shared with the log so that the two do not garble each other;
// nil otherwise (progress is then logged).
func TerminalProgress() io.Writer {
	if s := stderrScreen(); s != nil {
		return lineSide{s}
	}
	return nil
}
