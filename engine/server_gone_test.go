package engine

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"syscall"
	"testing"
	"time"

	"github.com/hotswap/hotswap/internal/dbconn"
	"github.com/hotswap/hotswap/job"
)

// TestServerWentAway: a lost connection, however wrapped, is the server
// going away; an error of the run's own, or a refusal, is not.
func TestServerWentAway(t *testing.T) {
	for _, err := range []error{driver.ErrBadConn, io.ErrUnexpectedEOF, fmt.Errorf("copy chunk: %w", syscall.ECONNRESET),
		fmt.Errorf("stream: %w", syscall.ECONNREFUSED)} {
		if !ServerWentAway(err) {
			t.Errorf("%v: not a server gone away", err)
		}
	}
	for _, err := range []error{nil, errors.New("checksum: 3 rows differ"), job.Refuse("table t has triggers"),
		&job.Refused{Err: io.EOF}} {
		if ServerWentAway(err) {
			t.Errorf("%v: taken for a server gone away", err)
		}
	}
}

// TestWaitForServerGivesUpAtTheLimit: a server that never answers is waited
// for no longer than the limit, and the error says so.
func TestWaitForServerGivesUpAtTheLimit(t *testing.T) {
	down := errors.New("connection refused")
	Register("down-kind", Driver{Ping: func(context.Context, dbconn.Config) error { return down }})
	defer func() { mu.Lock(); delete(drivers, "down-kind"); mu.Unlock() }()
	t0 := time.Now()
	err := WaitForServer(context.Background(), "down-kind", dbconn.Config{}, 1500*time.Millisecond)
	if !errors.Is(err, down) || time.Since(t0) > 10*time.Second {
		t.Fatalf("WaitForServer = %v after %s", err, time.Since(t0))
	}
}
