package throttle

import (
	"context"
	"time"
)

// heartbeatWriter upserts the next sequence number into the heartbeat table
// while control replicas are configured. Only Run's goroutines use it.
type heartbeatWriter struct {
	t       *Throttler
	touched bool // the table may exist: drop it at the end
	created bool
	writing bool
}

func (h *heartbeatWriter) beat(ctx context.Context) {
	t := h.t
	if len(t.settings.snapshot().controlReplicas) == 0 {
		if h.writing {
			t.beats.pause()
			h.writing = false
			t.mu.Lock()
			t.hbErr = nil
			t.mu.Unlock()
		}
		return
	}
	h.writing = true
	cctx, cancel := context.WithTimeout(ctx, sqlTimeout)
	defer cancel()
	var err error
	if !h.created {
		t.beats.startTable(time.Now())
		h.touched = true
		if err = t.cfg.SQL.CreateHeartbeat(cctx, t.cfg.Primary, t.hbTable); err == nil {
			h.created = true
			t.log.Info().Str("table", t.hbTable).Msg("heartbeat table created")
		}
	}
	if err == nil {
		err = t.cfg.SQL.WriteHeartbeat(cctx, t.cfg.Primary, t.hbTable, t.beats.add(time.Now()))
	}
	if ctx.Err() != nil {
		return // stopping: not a failure of the check
	}
	t.mu.Lock()
	t.hbErr = err
	t.mu.Unlock()
	t.noteErr("heartbeat", err)
}
