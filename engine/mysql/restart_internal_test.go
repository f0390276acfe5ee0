package mysql

import (
	"testing"

	"github.com/hotswap/hotswap/binlog"
	dialect "github.com/hotswap/hotswap/dialect/mysql"
)

// TestMySQLRestartPositionBeforeTheStreamRuns: a run that fails before its
// stream's goroutine has read anything checkpoints the position the stream
// was opened at (CI once saw ":0" there, which --resume refused).
func TestMySQLRestartPositionBeforeTheStreamRuns(t *testing.T) {
	start := dialect.BinlogPos{File: "binlog.000042", Pos: 4242}
	e := &Engine{stream: binlog.NewMySQLStream(binlog.MySQLConfig{}, start)}
	if got := e.RestartPosition(); got != start.String() {
		t.Fatalf("RestartPosition = %q, want %q", got, start.String())
	}
}
