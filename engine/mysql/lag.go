package mysql

import (
	"context"
	"database/sql"
	"sync"
	"time"

	dialect "github.com/hotswap/hotswap/dialect/mysql"
)

// lagTracker measures how far the stream reader is behind the server with
// hotswap's own clock only: it samples the binlog end every interval, and the
// lag is the age of the oldest sample the reader has not reached yet.
type lagTracker struct {
	mu      sync.Mutex
	samples []lagSample
}

type lagSample struct {
	pos dialect.BinlogPos
	at  time.Time
}

func (l *lagTracker) run(ctx context.Context, db *sql.DB, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		pos, err := dialect.MasterPos(ctx, db)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		l.mu.Lock()
		if len(l.samples) < 10000 { // bounded: a reader that far behind is already over any limit
			l.samples = append(l.samples, lagSample{pos: pos, at: time.Now()})
		}
		l.mu.Unlock()
	}
}

// lag is how long ago the server had written what the reader has not read yet.
func (l *lagTracker) lag(read dialect.BinlogPos) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	i := 0
	for i < len(l.samples) && !read.Less(l.samples[i].pos) {
		i++
	}
	l.samples = l.samples[i:]
	if len(l.samples) == 0 {
		return 0
	}
	return time.Since(l.samples[0].at)
}
