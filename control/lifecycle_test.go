package control

import (
	"context"
	"fmt"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestTCPListener(t *testing.T) {
	ts := startServer(t, Options{TCPPort: AnyPort}, nil)
	host, _, err := net.SplitHostPort(ts.TCPAddr())
	if err != nil || host != "127.0.0.1" {
		t.Fatalf("TCPAddr %q (%v), want 127.0.0.1:port", ts.TCPAddr(), err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if got, err := send(ctx, "tcp", ts.TCPAddr(), "throttle"); err != nil || got != "OK" {
		t.Fatalf("throttle over TCP: %q, %v", got, err)
	}
	if !ts.fake.snapshot().throttled {
		t.Error("throttle over TCP did not throttle")
	}
	if got, _ := send(ctx, "tcp", ts.TCPAddr(), "sup"); !strings.HasPrefix(got, "copy: 12345/100000") {
		t.Errorf("sup over TCP: %q", got)
	}
}

func TestNoNewlineAndLongLines(t *testing.T) {
	ts := startServer(t, Options{TCPPort: AnyPort}, nil)
	// printf sup | nc -U sock: no newline, the client half-closes.
	if got := rawExchange(t, "unix", ts.SocketPath(), "sup", true); !strings.HasPrefix(got, "copy: ") {
		t.Errorf("command without newline: %q", got)
	}
	long := "throttle-query=" + strings.Repeat("x", maxLine) + "\n"
	for _, network := range []string{"unix", "tcp"} {
		addr := map[string]string{"unix": ts.SocketPath(), "tcp": ts.TCPAddr()}[network]
		// Not half-closed: the reply must arrive although input is unread.
		got := rawExchange(t, network, addr, long, false)
		if !strings.HasPrefix(got, "ERROR: command longer than 65536 bytes") {
			t.Errorf("%s: long line: reply %q", network, got)
		}
	}
	if got := ts.send(t, "throttle-query=?"); got != "" {
		t.Errorf("long line changed throttle-query to %.20q...", got)
	}
	// Just under the limit is fine.
	line := "throttle-query=" + strings.Repeat("y", maxLine-len("throttle-query="))
	if got := ts.send(t, line); got != "OK" {
		t.Errorf("line of %d bytes: %q", len(line), got)
	}
}

func TestIdleClientIsTimedOut(t *testing.T) {
	ts := startServer(t, Options{}, func(s *Server) { s.readTimeout = 100 * time.Millisecond })
	start := time.Now()
	got := rawExchange(t, "unix", ts.SocketPath(), "", false)
	if !strings.HasPrefix(got, "ERROR: no command within 100ms") {
		t.Errorf("idle client got %q", got)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("idle client held for %v", d)
	}
}

func TestConcurrentClients(t *testing.T) {
	ts := startServer(t, Options{TCPPort: AnyPort}, nil)
	const clients = 40
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for i := range clients {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			line := fmt.Sprintf("max-lag-millis=%d", 1000+i)
			var got string
			var err error
			if i%2 == 0 {
				got, err = Send(ctx, ts.SocketPath(), line)
			} else {
				got, err = send(ctx, "tcp", ts.TCPAddr(), line)
			}
			if err == nil && got != "OK" {
				err = fmt.Errorf("%s: %q", line, got)
			}
			if err == nil {
				_, err = Send(ctx, ts.SocketPath(), "status-json")
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if got := ts.fake.snapshot().write; got != clients {
		t.Errorf("target saw %d writes, want %d", got, clients)
	}
	if got := len(ts.onCommand(2 * clients)); got != 2*clients {
		t.Errorf("OnCommand called %d times, want %d", got, 2*clients)
	}
}

// Serve ends connections still open after the grace period, and leaves no
// goroutine of its own behind.
func TestServeStopsIdleConnections(t *testing.T) {
	ts := startServer(t, Options{TCPPort: AnyPort}, func(s *Server) {
		s.readTimeout, s.shutdownGrace = time.Minute, 100*time.Millisecond
	})
	var conns []net.Conn
	for _, a := range [][2]string{{"unix", ts.SocketPath()}, {"tcp", ts.TCPAddr()}} {
		c, err := net.Dial(a[0], a[1])
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns = append(conns, c)
	}
	waitFor(t, "connections accepted", func() bool { return ts.inFlight() == 2 })
	start := time.Now()
	ts.shutdown(t)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Serve took %v to stop", d)
	}
	for _, c := range conns {
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		if _, err := c.Read(make([]byte, 1)); err == nil {
			t.Errorf("%s connection still open", c.LocalAddr().Network())
		}
	}
	if g := serverGoroutines(); g != "" {
		t.Errorf("goroutines left after Serve:\n%s", g)
	}
}

func TestServeTwice(t *testing.T) {
	ts := startServer(t, Options{}, nil)
	waitFor(t, "Serve running", ts.serving.Load)
	if err := ts.Serve(context.Background()); err == nil {
		t.Error("second Serve did not fail")
	}
}

func TestOptionsValidated(t *testing.T) {
	for _, o := range []Options{
		{},
		{TCPPort: 70000},
		{TCPPort: -2},
		{SocketPath: "/tmp/x.sock", ForceNamedPanic: true},
	} {
		if _, err := Listen(o, newFake()); err == nil {
			t.Errorf("Listen(%+v) did not fail", o)
		}
	}
}

func (ts *testServer) inFlight() int {
	ts.Server.mu.Lock()
	defer ts.Server.mu.Unlock()
	return len(ts.conns)
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// serverGoroutines is the stacks of goroutines running the server's code,
// given a moment to finish.
func serverGoroutines() string {
	var found []string
	for range 100 {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		found = nil
		for _, g := range strings.Split(string(buf), "\n\n") {
			if strings.Contains(g, "control.(*Server)") || strings.Contains(g, "control.closeGently") {
				found = append(found, g)
			}
		}
		if len(found) == 0 {
			return ""
		}
		time.Sleep(10 * time.Millisecond)
	}
	return strings.Join(found, "\n\n")
}
