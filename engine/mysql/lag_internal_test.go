package mysql

import (
	"testing"
	"time"

	dialect "github.com/hotswap/hotswap/dialect/mysql"
)

func TestLagTrackerAgesTheOldestUnreadSample(t *testing.T) {
	var l lagTracker
	pos := func(n uint32) dialect.BinlogPos { return dialect.BinlogPos{File: "binlog.000001", Pos: n} }
	now := time.Now()
	l.samples = []lagSample{{pos(100), now.Add(-3 * time.Second)}, {pos(200), now.Add(-2 * time.Second)}, {pos(300), now.Add(-time.Second)}}
	if lag := l.lag(pos(50)); lag < 3*time.Second || lag > 4*time.Second {
		t.Fatalf("reader before every sample: lag %s, want ~3s", lag)
	}
	if lag := l.lag(pos(200)); lag < time.Second || lag > 2*time.Second {
		t.Fatalf("reader at the second sample: lag %s, want ~1s (age of the third)", lag)
	}
	if lag := l.lag(dialect.BinlogPos{File: "binlog.000002", Pos: 4}); lag != 0 || len(l.samples) != 0 {
		t.Fatalf("reader past every sample (next file): lag %s, %d samples left", lag, len(l.samples))
	}
}
