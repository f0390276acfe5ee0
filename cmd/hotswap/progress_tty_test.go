package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/hotswap/hotswap/internal/workload"
)

// copyingLine is the live line while copying: percent, bar, rows, state, rate, ETA.
var copyingLine = regexp.MustCompile(`(\d+)% \|[^|]*\| \((\d+)/(\d+)\) copying · \d+ rows/s · ETA [0-9hms.?]+ · lag \d+ms`)

// logAfterBar is a log line (its grey time) written on the progress line's
// own line, after the bar, instead of replacing it.
var logAfterBar = regexp.MustCompile(`\(\d+/\d+\) [^\r\n]*\x1b\[90m\d\d:\d\d`)

// TestProgressLineOnATerminal runs hotswap with its stderr on a
// pseudo-terminal and reads back what a person sees: one line redrawn in
// place, with the percent rising while copying, the throttle's reason while
// held, and the postponed cut-over; not a log line per tick.
func TestProgressLineOnATerminal(t *testing.T) {
	tg := mysqlTarget(t)
	if _, err := tg.db.Exec(tg.create); err != nil {
		t.Fatal(err)
	}
	w, err := workload.New(tg.db, workload.Options{Table: "t", Workers: 1, BigValueRatio: -1, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Load(context.Background(), 50000); err != nil {
		t.Fatal(err)
	}
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx.Close()
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 40, Cols: 200}); err != nil {
		t.Fatal(err)
	}
	screen := &lockedBuffer{}
	go io.Copy(screen, ptmx) // ends when the terminal closes
	dir := t.TempDir()
	throttleFlag, postpone := filepath.Join(dir, "throttle"), filepath.Join(dir, "postpone")
	os.WriteFile(throttleFlag, nil, 0o600)
	os.WriteFile(postpone, nil, 0o600)
	c := startChildTo(t, tg.env, tty, append([]string{"alter", "--table", "t", "--alter", tg.alter, "--execute", "--chunk-size", "100",
		"--nice-ratio", "4", "--throttle-flag-file", throttleFlag, "--postpone-cut-over-flag-file", postpone}, tg.args...)...)
	tty.Close() // the child holds its own
	waitScreen(t, c, screen, "the throttled line", func(s string) bool { return strings.Contains(s, "throttled: flag file") })
	os.Remove(throttleFlag)
	waitScreen(t, c, screen, "the postponed line", func(s string) bool { return strings.Contains(s, "| (50000/50000) postponed · ") })
	os.Remove(postpone)
	if code := c.wait(t, 2*time.Minute); code != 0 {
		t.Fatalf("hotswap exited %d:\n%s\n%s", code, c.out.String(), screen.String())
	}
	got := screen.String()
	t.Logf("the terminal showed:\n%q", got)
	percents := percentsWhileCopying(got)
	if len(percents) < 3 || percents[len(percents)-1] <= percents[0] {
		t.Errorf("the percent while copying did not rise over several redraws: %v\n%q", percents, got)
	}
	for i := 1; i < len(percents); i++ {
		if percents[i] < percents[i-1] {
			t.Errorf("the percent went down while copying: %v", percents)
		}
	}
	if n := strings.Count(got, "\r"); n < 2*len(percents) {
		t.Errorf("the line was drawn with %d carriage returns for %d copying states: not redrawn in place", n, len(percents))
	}
	if strings.Contains(got, `"level":`) || strings.Contains(c.out.String(), "% |") || logAfterBar.MatchString(got) {
		t.Errorf("JSON log lines on the terminal, a log line written after the bar, or the progress line on stdout:\nterminal %q\nstdout %q", got, c.out.String())
	}
}

// percentsWhileCopying lists the percent of each copying line drawn.
func percentsWhileCopying(screen string) []int {
	var out []int
	for _, m := range copyingLine.FindAllStringSubmatch(screen, -1) {
		n, _ := strconv.Atoi(m[1])
		if len(out) == 0 || out[len(out)-1] != n {
			out = append(out, n)
		}
	}
	return out
}

func waitScreen(t *testing.T, c *child, screen *lockedBuffer, what string, ok func(string) bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !ok(screen.String()) {
		if c.done() || time.Now().After(deadline) {
			t.Fatalf("no %s on the terminal (exited: %v):\n%q\n%s", what, c.done(), screen.String(), c.out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
