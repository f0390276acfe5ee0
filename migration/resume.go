package migration

import (
	"context"
	"fmt"
	"time"

	"github.com/hotswap/hotswap/copier"
)

// prepareCheckpoint, once the shadow is ready, loads and checks the
// checkpoint a --resume continues from (a new run creates its own when it
// starts the stream: an in-place ALTER needs none).
func (m *Migration) prepareCheckpoint(ctx context.Context) error {
	if m.resuming {
		st, err := m.loadCheckpoint(ctx)
		if err != nil {
			return err
		}
		m.resumed = st
		if m.resumeStart, err = copier.DecodeKey(st.Watermark); err != nil {
			return &Refused{Err: err}
		}
		m.cfg.Log.Info().Str("checkpoint", m.chk).Msg(m.describeResume())
		fmt.Fprintln(m.cfg.Out, m.describeResume())
		return nil
	}
	return nil
}

// openStream starts the change stream, or restarts it where the checkpoint
// of a resumed run says every earlier change is in the shadow.
func (m *Migration) openStream(ctx context.Context) error {
	if m.resumed != nil {
		m.ckptMade.Store(true)
		return m.eng.ResumeStream(ctx, m.resumed.Stream)
	}
	if err := m.eng.CreateCheckpoint(ctx); err != nil {
		return err
	}
	m.ckptMade.Store(true)
	return m.eng.StartStream(ctx)
}

// Resumable says whether a --resume can continue this run once it has
// ended: its checkpoint table exists (before its first row is written, a
// --resume starts the run over).
func (m *Migration) Resumable() bool { return m.ckptMade.Load() }

// deferIndexes drops the shadow indexes built after the copy (a resumed run
// takes the list from its checkpoint: they are dropped already) and writes
// the first checkpoint, which records them: from here a crash resumes.
func (m *Migration) deferIndexes(ctx context.Context) ([]string, error) {
	var builds []string
	if m.resumed != nil {
		builds = m.resumed.IndexBuild
	} else {
		var err error
		if builds, err = m.eng.BeforeCopy(ctx); err != nil {
			return nil, err
		}
	}
	m.ckpt.setIndexes(builds)
	if err := m.ckpt.save(ctx); err != nil {
		return nil, fmt.Errorf("first checkpoint: %w", err)
	}
	m.ckpt.ready.Store(true)
	return builds, nil
}

// finishResumed ends a --resume that found the earlier run's cut-over done:
// the new table is in place; only the checkpoint (and, on PostgreSQL, the
// slot and the publication, dropped on close) remain to remove.
func (m *Migration) finishResumed(ctx context.Context) error {
	if done, err := m.resumeWindowIfAny(ctx); done || err != nil {
		return err
	}
	if err := m.eng.DropCheckpoint(ctx); err != nil {
		return err
	}
	m.SetState(StateDone)
	fmt.Fprintf(m.cfg.Out, "The earlier run's cut-over of %s had completed: the new table is in place and the old one is kept as %s. Its checkpoint was removed; nothing else to do.\n",
		m.tableName(), m.old)
	return nil
}

// dropCheckpointAfterSwap removes the checkpoint of a finished run; a
// failure only leaves a table for `hotswap cleanup`.
func (m *Migration) dropCheckpointAfterSwap() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := m.eng.DropCheckpoint(ctx); err != nil {
		m.cfg.Log.Warn().Err(err).Str("table", m.chk).Msg("could not drop the checkpoint table; `hotswap cleanup` drops it")
	}
}
