package binlog

import (
	"context"
	"testing"
	"time"

	"github.com/hotswap/hotswap/dialect/mysql"
)

// TestMySQLStreamBeforeRun: a stream that has not read anything yet restarts
// where it was opened, and has nothing to wait for up to there (a run that
// fails at once checkpoints that position).
func TestMySQLStreamBeforeRun(t *testing.T) {
	start := mysql.BinlogPos{File: "binlog.000042", Pos: 4242}
	s := NewMySQLStream(MySQLConfig{}, start)
	if got := s.RestartPosition(); got != start.String() {
		t.Fatalf("RestartPosition = %q, want %q", got, start.String())
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := s.WaitFor(ctx, start.String()); err != nil {
		t.Fatalf("WaitFor(start) = %v, want nil at once", err)
	}
}

// TestStreamWaitForBadPosition: a position in another engine's form is an
// error, not a wait.
func TestStreamWaitForBadPosition(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	streams := map[string]Stream{
		"0/16B3748":     NewMySQLStream(MySQLConfig{}, mysql.BinlogPos{File: "binlog.000001", Pos: 4}),
		"binlog.0001:4": NewPostgresStream(PostgresConfig{Slot: "s"}),
	}
	for pos, s := range streams {
		if err := s.WaitFor(ctx, pos); err == nil || ctx.Err() != nil {
			t.Errorf("%T.WaitFor(%q) = %v, want an immediate error", s, pos, err)
		}
	}
}
