package throttle

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"net"
	"slices"
	"strconv"
	"sync"
)

// collectReplicas reads the heartbeat on every control replica, in parallel.
func (t *Throttler) collectReplicas(ctx context.Context) {
	hps := t.settings.snapshot().controlReplicas
	t.dropPoolsExcept(hps)
	t.mu.Lock()
	for hp := range t.replicas {
		if !slices.Contains(hps, hp) {
			delete(t.replicas, hp)
		}
	}
	t.mu.Unlock()
	if len(hps) == 0 {
		return
	}
	results := make([]replicaResult, len(hps))
	var wg sync.WaitGroup
	for i, hp := range hps {
		wg.Go(func() { results[i] = t.readReplica(ctx, hp) })
	}
	wg.Wait()
	if ctx.Err() != nil {
		return
	}
	t.mu.Lock()
	for i, hp := range hps {
		t.replicas[hp] = results[i]
	}
	t.mu.Unlock()
	oldest, all := int64(math.MaxInt64), true
	for i, hp := range hps {
		r := results[i]
		t.noteErr("control replica "+hp, r.err)
		if r.err != nil || !r.found {
			all = false
		} else {
			oldest = min(oldest, r.seq)
		}
	}
	if all {
		t.beats.prune(oldest)
	}
}

func (t *Throttler) readReplica(ctx context.Context, hp string) replicaResult {
	cctx, cancel := context.WithTimeout(ctx, sqlTimeout)
	defer cancel()
	db, err := t.pool(cctx, hp)
	if err != nil {
		return replicaResult{err: err}
	}
	seq, found, err := t.cfg.SQL.ReadHeartbeat(cctx, db, t.hbTable)
	if err != nil {
		return replicaResult{err: err}
	}
	return replicaResult{seq: seq, found: found}
}

func (t *Throttler) pool(ctx context.Context, hp string) (*sql.DB, error) {
	t.poolMu.Lock()
	db := t.pools[hp]
	t.poolMu.Unlock()
	if db != nil {
		return db, nil
	}
	if t.cfg.OpenReplica == nil {
		return nil, errors.New("connect: no OpenReplica configured")
	}
	host, port, err := net.SplitHostPort(hp) // Settings wrote hp with a valid port
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		return nil, fmt.Errorf("connect: port %q: %w", port, err)
	}
	db, err = t.cfg.OpenReplica(ctx, host, p)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	db.SetMaxOpenConns(2)
	t.poolMu.Lock()
	t.pools[hp] = db
	t.poolMu.Unlock()
	return db, nil
}

func (t *Throttler) dropPoolsExcept(keep []string) {
	t.poolMu.Lock()
	defer t.poolMu.Unlock()
	for hp, db := range t.pools {
		if !slices.Contains(keep, hp) {
			_ = db.Close()
			delete(t.pools, hp)
		}
	}
}

func (t *Throttler) closePools() { t.dropPoolsExcept(nil) }
