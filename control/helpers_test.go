package control

import (
	"context"
	"errors"
	"io"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// testServer is a Server running Serve until the test ends.
type testServer struct {
	*Server
	fake   *fakeTarget
	stop   context.CancelFunc
	served chan error

	mu       sync.Mutex
	commands []string // lines passed to OnCommand
}

// startServer listens on a fresh socket (plus TCP if opts asks) and serves.
// tune, if not nil, adjusts the server before Serve.
func startServer(t *testing.T, opts Options, tune func(*Server)) *testServer {
	t.Helper()
	if opts.SocketPath == "" {
		opts.SocketPath = filepath.Join(t.TempDir(), "c.sock")
	}
	ts := &testServer{fake: newFake(), served: make(chan error, 1)}
	opts.OnCommand = func(line string) {
		ts.mu.Lock()
		defer ts.mu.Unlock()
		ts.commands = append(ts.commands, line)
	}
	s, err := Listen(opts, ts.fake)
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	if tune != nil {
		tune(s)
	}
	ts.Server = s
	ctx, cancel := context.WithCancel(context.Background())
	ts.stop = cancel
	go func() { ts.served <- s.Serve(ctx) }()
	t.Cleanup(func() { ts.shutdown(t) })
	return ts
}

// shutdown ends Serve and checks it returned cleanly; idempotent.
func (ts *testServer) shutdown(t *testing.T) {
	t.Helper()
	ts.stop()
	select {
	case err, ok := <-ts.served:
		if ok && err != nil {
			t.Errorf("Serve: %v", err)
		}
		if ok {
			close(ts.served)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return")
	}
}

// send sends a line over the socket; ERROR replies are not test failures.
func (ts *testServer) send(t *testing.T, line string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	reply, err := Send(ctx, ts.SocketPath(), line)
	var ce *CommandError
	if err != nil && !errors.As(err, &ce) {
		t.Fatalf("Send(%q): %v", line, err)
	}
	return reply
}

// onCommand waits briefly for the hook (it runs after the reply is sent).
func (ts *testServer) onCommand(want int) []string {
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		ts.mu.Lock()
		n := len(ts.commands)
		ts.mu.Unlock()
		if n >= want {
			break
		}
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]string(nil), ts.commands...)
}

// rawExchange writes data as is, optionally half-closes, and reads to EOF,
// as nc does.
func rawExchange(t *testing.T, network, addr, data string, closeWrite bool) string {
	t.Helper()
	c, err := net.Dial(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, data); err != nil {
		t.Fatal(err)
	}
	if closeWrite {
		c.(interface{ CloseWrite() error }).CloseWrite()
	}
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("reading the reply: %v", err)
	}
	return string(b)
}

func wantPrefix(t *testing.T, line, reply, prefix string) {
	t.Helper()
	if !strings.HasPrefix(reply, prefix) {
		t.Errorf("%q: reply %q, want it to start with %q", line, reply, prefix)
	}
}
