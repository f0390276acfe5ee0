package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/hotswap/hotswap/control"
	"github.com/hotswap/hotswap/internal/testdb"
)

// child is one run of the hotswap binary. Its stdout and stderr (zerolog
// JSON, as stderr is not a terminal) go to a log file.
type child struct {
	cmd     *exec.Cmd
	logPath string
	started time.Time
	exited  time.Time     // valid after done is closed
	done    chan struct{} // closed when the process has exited
	waitErr error         // valid after done is closed
}

// startHotswap runs `hotswap alter` on table with the engine's ALTER. When
// ctx ends (Ctrl-C) the child gets SIGINT, so it cleans up after itself, and
// is killed if it has not exited 30 s later; it runs in its own process group
// (the terminal's SIGINT is ours to forward) and gets SIGTERM should this
// process die.
func startHotswap(ctx context.Context, e engine, c config, table, logPath string, extra ...string) (*child, error) {
	conn, password := e.hotswapArgs()
	args := append([]string{"alter"}, conn...)
	args = append(args, "--table", table, "--alter", e.alter(), "--threads", fmt.Sprint(c.Threads), "--execute")
	if c.ChunkSize > 0 {
		args = append(args, "--chunk-size", fmt.Sprint(c.ChunkSize))
	}
	if c.SkipChecksum {
		args = append(args, "--skip-checksum")
	}
	args = append(args, extra...)
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close() // the child has its own descriptor
	cmd := exec.CommandContext(ctx, c.Bin, args...)
	cmd.Env = append(os.Environ(), "HOTSWAP_PASSWORD="+password)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 30 * time.Second
	ch := &child{cmd: cmd, logPath: logPath, done: make(chan struct{})}
	if err := testdb.StartOnSpawnThread(cmd.Start); err != nil {
		return nil, fmt.Errorf("start %s (run make build first): %w", c.Bin, err)
	}
	ch.started = time.Now()
	go func() {
		ch.waitErr = cmd.Wait()
		ch.exited = time.Now()
		close(ch.done)
	}()
	return ch, nil
}

// wait waits for the child to exit and returns its error with the tail of
// its log.
func (ch *child) wait() error {
	<-ch.done
	if ch.waitErr != nil {
		return fmt.Errorf("hotswap alter: %w\n--- %s (last lines) ---\n%s", ch.waitErr, ch.logPath, logTail(ch.logPath, 20))
	}
	return nil
}

func (ch *child) took() time.Duration { return ch.exited.Sub(ch.started) }

// rssKB is the child's peak RSS (rusage ru_maxrss, kilobytes on Linux).
func (ch *child) rssKB() int64 {
	if ch.cmd.ProcessState == nil {
		return 0
	}
	if ru, ok := ch.cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && ru != nil {
		return int64(ru.Maxrss)
	}
	return 0
}

// hotswapLog is what the bench reads back from a run's log: the lines that
// are not JSON (the summary hotswap prints on stdout), warnings and errors,
// and the cut-over as hotswap itself timed it.
type hotswapLog struct {
	Text            []string `json:"-"`
	Warnings        []string `json:"warnings,omitempty"`
	CutOverHeldMS   float64  `json:"cut_over_held_ms"`  // "cut-over done" held
	CutOverAttempts int      `json:"cut_over_attempts"` // "cut-over done" attempt
	ChecksumMS      float64  `json:"checksum_ms"`       // "checksum" took
}

func readHotswapLog(path string) hotswapLog {
	var l hotswapLog
	f, err := os.Open(path)
	if err != nil {
		return l
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		line := sc.Text()
		var ev struct {
			Level   string  `json:"level"`
			Message string  `json:"message"`
			Error   string  `json:"error"`
			Held    float64 `json:"held"`
			Took    float64 `json:"took"`
			Attempt int     `json:"attempt"`
		}
		if !strings.HasPrefix(line, "{") || json.Unmarshal([]byte(line), &ev) != nil {
			if strings.TrimSpace(line) != "" {
				l.Text = append(l.Text, line)
			}
			continue
		}
		switch {
		case ev.Message == "cut-over done":
			l.CutOverHeldMS, l.CutOverAttempts = ev.Held, ev.Attempt
		case ev.Message == "checksum":
			l.ChecksumMS = ev.Took
		}
		if (ev.Level == "warn" || ev.Level == "error") && len(l.Warnings) < 10 {
			w := ev.Level + ": " + ev.Message
			if ev.Error != "" {
				w += ": " + ev.Error
			}
			l.Warnings = append(l.Warnings, w)
		}
	}
	return l
}

// statusSample is one status-json reply, at seconds since the child started.
type statusSample struct {
	At float64 `json:"at_s"`
	control.Status
}

// pollStatus asks the control socket for status-json every interval until
// the child exits; replies fail until hotswap has opened the socket.
func pollStatus(ctx context.Context, socket string, ch *child, interval time.Duration) (samples []statusSample, failures int) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ch.done:
			return
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		rctx, cancel := context.WithTimeout(ctx, time.Second)
		reply, err := control.Send(rctx, socket, "status-json")
		cancel()
		var s statusSample
		if err == nil {
			err = json.Unmarshal([]byte(reply), &s.Status)
		}
		if err != nil {
			failures++
			continue
		}
		s.At = time.Since(ch.started).Seconds()
		samples = append(samples, s)
	}
}

// logTail returns the last n lines of a file, for failure messages.
func logTail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
