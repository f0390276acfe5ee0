package control

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The protocol's promise: `echo status | nc -U sock` is a client.
func TestNetcat(t *testing.T) {
	nc, err := exec.LookPath("nc")
	if err != nil {
		if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci { // make setup installs it: CI must exercise the promise
			t.Fatal("no nc on PATH: apt-get install -y netcat-openbsd (make setup does)")
		}
		t.Skip("no nc on PATH: apt-get install -y netcat-openbsd")
	}
	ts := startServer(t, Options{TCPPort: AnyPort}, nil)
	_, port, _ := strings.Cut(ts.TCPAddr(), ":")
	for _, args := range [][]string{{"-U", ts.SocketPath()}, {"127.0.0.1", port}} {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		cmd := exec.CommandContext(ctx, nc, args...)
		cmd.Stdin = strings.NewReader("sup\n")
		out, err := cmd.Output()
		cancel()
		if err != nil || !strings.HasPrefix(string(out), "copy: 12345/100000 12.3%") {
			t.Errorf("echo sup | nc %s: %q, %v", strings.Join(args, " "), out, err)
		}
	}
}
