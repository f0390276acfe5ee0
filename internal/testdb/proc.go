package testdb

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"syscall"
	"time"
)

// process is one running server binary whose stdout/stderr go to logPath.
type process struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	done    chan struct{} // closed when the process has exited
	waitErr error         // valid after done is closed
}

// startProcess starts cmd with its output appended to logPath. The child gets
// Pdeathsig=SIGKILL so that a killed or crashed test binary never leaves a
// server behind, and its own process group so that a Ctrl-C aimed at `go test`
// does not race our orderly shutdown.
func startProcess(name string, cmd *exec.Cmd, logPath string) (*process, error) {
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open %s log: %w", name, err)
	}
	defer logFile.Close() // the child keeps its own descriptor
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	cmd.SysProcAttr.Setpgid = true
	if err := StartOnSpawnThread(cmd.Start); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, logPath: logPath, done: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// exited reports whether the process has already terminated.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop sends sig (the server's "shut down cleanly" signal), waits up to grace,
// then SIGKILLs the process group. It is safe to call on an exited process.
func (p *process) stop(sig syscall.Signal, grace time.Duration) error {
	if p.exited() {
		return nil
	}
	_ = p.cmd.Process.Signal(sig)
	select {
	case <-p.done:
		return nil
	case <-time.After(grace):
	}
	// The whole group: install-db is a shell script with helpers, and
	// PostgreSQL backends should not outlive a killed postmaster.
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	select {
	case <-p.done:
		return fmt.Errorf("%s did not stop within %s after %v; killed", p.name, grace, sig)
	case <-time.After(10 * time.Second):
		return fmt.Errorf("%s (pid %d) survived SIGKILL", p.name, p.cmd.Process.Pid)
	}
}

// spawnCh feeds StartOnSpawnThread. Pdeathsig fires when the *thread* that
// forked the child exits, not the process; the Go runtime may retire
// threads, so every child with Pdeathsig (the servers, the benchmark's
// hotswap) is forked from one goroutine locked to a thread that never exits.
var (
	spawnOnce sync.Once
	spawnCh   chan func()
)

// StartOnSpawnThread runs start (an exec.Cmd.Start) on that thread.
func StartOnSpawnThread(start func() error) error {
	spawnOnce.Do(func() {
		spawnCh = make(chan func())
		go func() {
			runtime.LockOSThread() // never unlocked: the thread lives as long as the binary
			for f := range spawnCh {
				f()
			}
		}()
	})
	errc := make(chan error, 1)
	spawnCh <- func() { errc <- start() }
	return <-errc
}

// runLogged runs a short-lived helper (install/initdb), bounded by timeout,
// appending its output to logPath.
func runLogged(name string, cmd *exec.Cmd, logPath string, timeout time.Duration) error {
	p, err := startProcess(name, cmd, logPath)
	if err != nil {
		return err
	}
	select {
	case <-p.done:
	case <-time.After(timeout):
		_ = p.stop(syscall.SIGKILL, time.Second)
		return fmt.Errorf("%s timed out after %s", name, timeout)
	}
	if p.waitErr != nil {
		return fmt.Errorf("%s: %w", name, p.waitErr)
	}
	return nil
}

// usedPorts avoids handing the same port to two servers of this binary
// between the probe and the server's own bind.
var (
	portMu    sync.Mutex
	usedPorts = map[int]bool{}
)

// freePort returns a loopback TCP port that was free a moment ago.
func freePort() (int, error) {
	portMu.Lock()
	defer portMu.Unlock()
	for range 20 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, fmt.Errorf("probe free port: %w", err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		_ = l.Close()
		if !usedPorts[port] {
			usedPorts[port] = true
			return port, nil
		}
	}
	return 0, errors.New("no unused loopback port found")
}

// logTail returns the last n lines of a log file, for failure messages.
func logTail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	lines := bytes.Split(bytes.TrimRight(data, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}

// waitReady polls ping until it succeeds, the process dies or timeout passes.
// On failure the process is killed and the error carries its log's tail.
func waitReady(p *process, timeout time.Duration, ping func() error, logPath string) error {
	if err := pollReady(p, timeout, ping); err != nil {
		_ = p.stop(syscall.SIGKILL, time.Second)
		return fmt.Errorf("%w\n--- %s ---\n%s", err, logPath, logTail(logPath, 30))
	}
	return nil
}

func pollReady(p *process, timeout time.Duration, ping func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := ping()
		if err == nil {
			return nil
		}
		if p.exited() {
			return fmt.Errorf("%s exited during startup: %v", p.name, p.waitErr)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready after %s: %w", p.name, timeout, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
