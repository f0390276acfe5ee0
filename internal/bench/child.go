package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/hotswap/hotswap/internal/testdb"
)

// child is one run of an outside program: hotswap, sysbench or
// pt-online-schema-change. Its output goes to a log file (and, for
// sysbench, through a line reader too).
type child struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	started time.Time
	exited  time.Time     // valid after done is closed
	done    chan struct{} // closed when the process has exited
	waitErr error         // valid after done is closed
}

// startChild runs bin with args in a process group of its own (the
// terminal's SIGINT is ours to forward), with env added to ours (passwords go
// there or in a file, never on a command line that is printed). When ctx ends
// (Ctrl-C) the group gets SIGINT, so the program cleans up after itself, and
// the process is killed if it has not exited 30 s later; it gets SIGTERM
// should this process die. lines, if not nil, gets every line of its
// standard output as it is written.
func startChild(ctx context.Context, name, bin string, args, env []string, logPath string, lines func(string)) (*child, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	// The log is closed once the child has exited: its output is copied
	// through a pipe when lines reads it.
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if lines != nil {
		w := io.MultiWriter(logFile, &lineWriter{fn: lines})
		cmd.Stdout, cmd.Stderr = w, w
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGINT) }
	cmd.WaitDelay = 30 * time.Second
	ch := &child{name: name, cmd: cmd, logPath: logPath, done: make(chan struct{})}
	if err := testdb.StartOnSpawnThread(cmd.Start); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	ch.started = time.Now()
	go func() {
		ch.waitErr = cmd.Wait()
		logFile.Close()
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
		return fmt.Errorf("%s: %w\n--- %s (last lines) ---\n%s", ch.name, ch.waitErr, ch.logPath, logTail(ch.logPath, 20))
	}
	return nil
}

// terminate sends sig to the child's process group and waits for it to exit
// (killing it after 10 s).
func (ch *child) terminate(sig syscall.Signal) {
	select {
	case <-ch.done:
		return
	default:
	}
	_ = syscall.Kill(-ch.cmd.Process.Pid, sig)
	select {
	case <-ch.done:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-ch.cmd.Process.Pid, syscall.SIGKILL)
		<-ch.done
	}
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

// lineWriter calls fn with each complete line written to it.
type lineWriter struct {
	fn      func(string)
	partial []byte
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.partial = append(w.partial, p...)
	for {
		i := strings.IndexByte(string(w.partial), '\n')
		if i < 0 {
			return len(p), nil
		}
		w.fn(strings.TrimRight(string(w.partial[:i]), "\r"))
		w.partial = w.partial[i+1:]
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
