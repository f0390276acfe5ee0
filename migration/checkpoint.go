package migration

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hotswap/hotswap/copier"
	"github.com/hotswap/hotswap/engine"
	"github.com/hotswap/hotswap/job"
)

// The checkpoint table (_<table>_chk) holds one row: the ALTER, and this
// state, rewritten every CheckpointInterval. A resumed run trusts it fully,
// so every field must be true of the shadow when it is written:
//   - Stream: every change before this position is in the shadow. The
//     position is read first, then the applier is marked and the write waits
//     until every key added before the mark has been resynced since
//     (applier.Covered).
//   - Watermark: every row with a key up to it is copied (copier.Watermark;
//     read before the stream position, so the keys its chunks could not
//     insert are with the applier before the mark).
//
// A resume streams from Stream again and copies after Watermark; both are
// idempotent (resyncs re-read the source, the copy skips rows present).
type checkpointState struct {
	Stream     string          `json:"stream"`
	Watermark  json.RawMessage `json:"watermark,omitempty"`   // absent: nothing copied yet
	IndexBuild []string        `json:"index_build,omitempty"` // deferred shadow indexes not built yet
	Columns    string          `json:"columns"`               // source and shadow columns, to refuse a resume onto changed tables
	// CopyDone, Copied and Saved: read back by `hotswap status` too.
	engine.CopyProgress
	// Window: the run was in its revert window (revert_resume.go).
	Window *windowCheckpoint `json:"window,omitempty"`
}

// checkpointer writes checkpoints for one run.
type checkpointer struct {
	m *Migration

	ready atomic.Bool // the first checkpoint is written (after the indexes are deferred)

	mu      sync.Mutex
	indexes []string // deferred index builds still to run
	warned  bool     // the watermark could not be encoded (logged once)
}

func (c *checkpointer) setIndexes(builds []string) {
	c.mu.Lock()
	c.indexes = builds
	c.mu.Unlock()
}

// saveIfReady writes a checkpoint once the first one is written (after the
// indexes are deferred): the run's periodic checkpoint task.
func (c *checkpointer) saveIfReady(ctx context.Context) error {
	if !c.ready.Load() {
		return nil
	}
	return c.save(ctx)
}

// save writes one checkpoint (see checkpointState for the order).
func (c *checkpointer) save(ctx context.Context) error {
	m := c.m
	st := checkpointState{Columns: m.eng.Columns(), CopyProgress: engine.CopyProgress{Saved: time.Now().UTC()}}
	if m.copier != nil {
		low, ok, all := m.copier.Watermark()
		st.CopyDone, st.Copied = all, m.copier.Copied()+c.resumedCopied()
		if ok {
			raw, err := copier.EncodeKey(low)
			if err == nil {
				st.Watermark = raw
			} else if !c.warned {
				c.warned = true
				m.cfg.Log.Warn().Err(err).Msg("the copy's progress cannot be checkpointed: a resume would copy the table again from the start")
			}
		}
	}
	st.Stream = m.eng.RestartPosition()
	if m.applier != nil {
		mark := m.applier.Mark()
		for !m.applier.Covered(mark) {
			if job.Sleep(ctx, 50*time.Millisecond); ctx.Err() != nil {
				return ctx.Err()
			}
		}
	}
	c.mu.Lock()
	st.IndexBuild = c.indexes
	c.mu.Unlock()
	doc, err := json.Marshal(st)
	if err != nil {
		return err
	}
	if err := m.eng.SaveCheckpoint(ctx, m.cfg.Alter, string(doc)); err != nil {
		return err
	}
	m.eng.Checkpointed(st.Stream)
	m.cfg.Log.Debug().Str("stream", st.Stream).RawJSON("watermark", orNull(st.Watermark)).Msg("checkpoint written")
	return nil
}

// resumedCopied is the rows a resumed run's predecessors copied.
func (c *checkpointer) resumedCopied() int64 {
	if c.m.resumed == nil {
		return 0
	}
	return c.m.resumed.Copied
}

func orNull(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 {
		return json.RawMessage("null")
	}
	return raw
}

// loadCheckpoint reads and checks the checkpoint a --resume continues from:
// same ALTER, same source and shadow columns.
func (m *Migration) loadCheckpoint(ctx context.Context) (*checkpointState, error) {
	alter, doc, found, err := m.eng.LoadCheckpoint(ctx)
	if err != nil {
		return nil, &Refused{Err: err}
	}
	if !found {
		return nil, refuse("the checkpoint table %s is empty (the earlier run stopped before its first checkpoint): nothing to resume; run `hotswap cleanup --table %s --execute`, then start again without --resume",
			m.chk, m.cfg.Table)
	}
	if normalizeSQL(alter) != normalizeSQL(m.cfg.Alter) {
		return nil, refuse("--resume with a different ALTER:\n  checkpointed: %s\n  requested:    %s\nresume with the checkpointed ALTER, or run `hotswap cleanup --table %s --execute` and start again",
			alter, m.cfg.Alter, m.cfg.Table)
	}
	var st checkpointState
	if err := json.Unmarshal([]byte(doc), &st); err != nil {
		return nil, refuse("checkpoint %s is unreadable (%v): run `hotswap cleanup --table %s --execute` and start again", m.chk, err, m.cfg.Table)
	}
	if now := m.eng.Columns(); st.Columns != now {
		return nil, refuse("the table or its shadow changed since the checkpoint:\n  checkpointed: %s\n  now:          %s\nrun `hotswap cleanup --table %s --execute` and start again",
			st.Columns, now, m.cfg.Table)
	}
	return &st, nil
}

// normalizeSQL folds runs of white space, so a resume may reformat the ALTER.
func normalizeSQL(s string) string {
	out := make([]rune, 0, len(s))
	space := false
	for _, r := range s {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' {
			space = true
			continue
		}
		if space && len(out) > 0 {
			out = append(out, ' ')
		}
		space = false
		out = append(out, r)
	}
	return string(out)
}

// describeResume prints what a --resume continues from.
func (m *Migration) describeResume() string {
	st := m.resumed
	wm := "nothing copied yet"
	if len(st.Watermark) > 0 {
		wm = "rows up to key " + string(st.Watermark) + " copied"
	}
	if st.CopyDone {
		wm = "copy finished"
	}
	return fmt.Sprintf("Resuming from the checkpoint of %s: %s (%d rows), stream from %s.",
		st.Saved.Format(time.RFC3339), wm, st.Copied, st.Stream)
}
