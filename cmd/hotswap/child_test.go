package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hotswap/hotswap/control"
)

// asCLI, set in a child's environment, makes this test binary run the
// hotswap command line instead of the tests: a fault test can then kill -9
// a real hotswap process.
const asCLI = "HOTSWAP_TEST_RUN_AS_CLI"

// child is a hotswap process started by a test.
type child struct {
	cmd    *exec.Cmd
	out    *lockedBuffer
	exited chan struct{}
	code   int
}

func startChild(t *testing.T, env []string, args ...string) *child {
	t.Helper()
	return startChildTo(t, env, nil, args...)
}

// startChildTo is startChild with the child's stderr on stderr (nil: with
// its stdout, in out).
func startChildTo(t *testing.T, env []string, stderr io.Writer, args ...string) *child {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	c := &child{out: &lockedBuffer{}, exited: make(chan struct{})}
	c.cmd = exec.Command(exe, args...)
	c.cmd.Env = append(append(os.Environ(), asCLI+"=1"), env...)
	c.cmd.Stdout, c.cmd.Stderr = c.out, c.out
	if stderr != nil {
		c.cmd.Stderr = stderr
	}
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		c.cmd.Wait()
		c.code = c.cmd.ProcessState.ExitCode()
		close(c.exited)
	}()
	t.Cleanup(func() { c.kill() })
	return c
}

// kill sends SIGKILL and waits for the process to be gone.
func (c *child) kill() {
	select {
	case <-c.exited:
		return
	default:
	}
	c.cmd.Process.Signal(syscall.SIGKILL)
	<-c.exited
}

func (c *child) done() bool {
	select {
	case <-c.exited:
		return true
	default:
		return false
	}
}

// wait waits for the process to exit and returns its exit code.
func (c *child) wait(t *testing.T, limit time.Duration) int {
	t.Helper()
	select {
	case <-c.exited:
		return c.code
	case <-time.After(limit):
		c.kill()
		t.Fatalf("hotswap did not end within %s:\n%s", limit, c.out.String())
		return -1
	}
}

type childStatus struct {
	State       string `json:"state"`
	RowsCopied  int64  `json:"rows_copied"`
	RowsChanged int64  `json:"rows_changed"`
}

// status asks the child's control socket; ok is false while it does not answer.
func status(sock string) (childStatus, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	reply, err := control.Send(ctx, sock, "status-json")
	var st childStatus
	if err != nil || json.Unmarshal([]byte(reply), &st) != nil {
		return st, false
	}
	return st, true
}

// waitFor polls the child's status until cond holds; false if the child
// ended first.
func (c *child) waitFor(t *testing.T, sock string, what string, cond func(childStatus) bool) bool {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		if c.done() {
			return false
		}
		if st, ok := status(sock); ok && cond(st) {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("hotswap never reached %s:\n%s", what, c.out.String())
	return false
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
