package migration

import (
	"testing"

	"github.com/hotswap/hotswap/binlog"
	"github.com/hotswap/hotswap/dialect/mysql"
)

// TestMySQLRestartPositionBeforeTheStreamRuns: a run that fails before its
// stream's goroutine has read anything checkpoints the position the stream
// was opened at (CI once saw ":0" there, which --resume refused).
func TestMySQLRestartPositionBeforeTheStreamRuns(t *testing.T) {
	start := mysql.BinlogPos{File: "binlog.000042", Pos: 4242}
	e := &mysqlEngine{stream: binlog.NewMySQLStream(binlog.MySQLConfig{}, start)}
	if got := e.restartPosition(); got != start.String() {
		t.Fatalf("restartPosition = %q, want %q", got, start.String())
	}
}
