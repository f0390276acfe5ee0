package migration

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/hotswap/hotswap/checksum"
	"github.com/hotswap/hotswap/dialect/mysql"
)

// checksumOnce opens the snapshots (retrying while writers can't be held
// within the lock timeout) and compares.
func (e *mysqlEngine) checksumOnce(ctx context.Context) (checksum.Result, error) {
	m := e.m
	point := checksum.MySQLPoint{DB: e.db, Database: m.cfg.Conn.Database, Table: m.cfg.Table,
		LockTimeout: m.cfg.CutOverLockTimeout, Applier: m.applier, CatchUp: e.catchUp}
	var conns []*sql.Conn
	var err error
	for attempt := 1; ; attempt++ {
		if conns, err = point.Open(ctx, m.cfg.Threads); err == nil {
			break
		}
		if attempt == m.cfg.DefaultRetries || ctx.Err() != nil {
			return checksum.Result{}, fmt.Errorf("checksum: no consistent point after %d attempts: %w", attempt, err)
		}
		m.cfg.Log.Warn().Err(err).Int("attempt", attempt).Msg("checksum point not reached; retrying")
		sleep(ctx, time.Duration(min(attempt, 10))*500*time.Millisecond)
	}
	defer checksum.Close(conns)
	snaps := make([]checksum.Snapshot, len(conns))
	for i, c := range conns {
		snaps[i] = mysql.Snapshot{Rows: e.rows, Conn: c}
	}
	return checksum.Compare(ctx, snaps, m.checksumChunk(), maxDiffs)
}
