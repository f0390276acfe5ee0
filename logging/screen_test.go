package logging

import (
	"bytes"
	"testing"
)

// TestLogLineReplacesTheLiveLine: a log line written while the progress line
// is on the screen clears it first (else the log would follow the bar on its
// line); a log line after a log line, or after a finished line, clears nothing.
func TestLogLineReplacesTheLiveLine(t *testing.T) {
	var out bytes.Buffer
	s := &screen{out: &out}
	line, log := lineSide{s}, logSide{s}
	line.Write([]byte("\r 42% |####  | (42/100) copying"))
	log.Write([]byte("INF state\n"))
	log.Write([]byte("INF more\n"))
	line.Write([]byte("\r 50% |##### | (50/100) copying\n"))
	log.Write([]byte("INF done\n"))
	want := "\r 42% |####  | (42/100) copying\r\033[KINF state\nINF more\n\r 50% |##### | (50/100) copying\nINF done\n"
	if out.String() != want {
		t.Fatalf("the terminal got %q\nwant %q", out.String(), want)
	}
}
