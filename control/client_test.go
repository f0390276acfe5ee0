package control

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSendErrors(t *testing.T) {
	ts := startServer(t, Options{}, nil)
	ctx := context.Background()

	reply, err := Send(ctx, ts.SocketPath(), "chunk-size=x")
	var ce *CommandError
	if !errors.As(err, &ce) || !strings.HasPrefix(reply, "ERROR: ") || ce.Reply != reply {
		t.Errorf("bad value: %q, %v; want the reply and a *CommandError", reply, err)
	}
	if err != nil && !strings.HasPrefix(err.Error(), "chunk-size=x: ") {
		t.Errorf("CommandError text %q", err)
	}
	if _, err := Send(ctx, ts.SocketPath(), "status\nthrottle"); err == nil {
		t.Error("two lines were sent")
	}
	missing := filepath.Join(t.TempDir(), "none.sock")
	if _, err := Send(ctx, missing, "status"); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("Send to a missing socket: %v", err)
	}
}

// A context ending while the server is slow ends Send.
func TestSendContext(t *testing.T) {
	ts := startServer(t, Options{}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	// A hold on the fake keeps the server from replying.
	ts.fake.mu.Lock()
	start := time.Now()
	_, err := Send(ctx, ts.SocketPath(), "status")
	ts.fake.mu.Unlock()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Send past its deadline: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Send took %v", d)
	}
}
