package migration

import (
	"context"

	"github.com/hotswap/hotswap/checksum"
	"github.com/hotswap/hotswap/engine"
)

// The early checksum compares each range of rows once it is copied, while
// the copy goes on, so that the consistent point before the cut-over
// compares only the rows the stream reported since, the ranges the early pass
// could not vouch for, and what it had not reached (checksum.Rest says why
// that is enough).

const (
	// earlyRows is the rows one early compare takes (copied ranges merged).
	earlyRows = 50_000
	// earlyDiffLimit is the differing rows an early range may hold and still
	// count as compared (they are compared again at the point); a range with
	// more, a hot one the applier is still catching up on, is left whole to
	// the point.
	earlyDiffLimit = 1000
	// maxTouchedKeys bounds the keys recorded for the point (about 100 bytes
	// each); past it the point compares every row, as without an early pass.
	maxTouchedKeys = 250_000
)

// An engine whose checksum is done early implements engine.EarlySnapshots.
// MySQL/MariaDB does: there the copy leaves a core idle (it waits on the
// binary and redo logs), and under 300 tx/s on 1M rows the early pass cut the point's compare from
// 6.8 s to 1.4 s. PostgreSQL does not: its copy keeps both cores busy, so the
// early pass doubled the copy (5.2 s to 10.1 s) while still leaving half the
// rows to the point; it compares every row at the point.

// earlyPass is the early checksum of a run.
type earlyPass struct {
	early *checksum.Early
	stop  chan struct{} // closed to end it
	done  chan struct{} // closed once it has ended
	rest  checksum.Rest
	ended bool
}

// newEarly sets up the early pass, or returns nil where it does not apply:
// an engine without one, no checksum or a full one, a dry run, or a resumed copy (rows copied by the run before
// were never compared early, so the point compares them all).
func (m *Migration) newEarly(wait func(context.Context) error) *earlyPass {
	eng, ok := m.eng.(engine.EarlySnapshots)
	if !ok || m.cfg.SkipChecksum || m.cfg.FullChecksum || !m.cfg.Execute || m.resumeStart != nil {
		return nil
	}
	return &earlyPass{early: &checksum.Early{Open: eng.Snapshot, Wait: wait, Size: earlyRows, Limit: earlyDiffLimit,
		Tally: &m.checksummed},
		stop: make(chan struct{}), done: make(chan struct{})}
}

// runEarly is the early pass's background task. Its errors stop only it
// (the point then compares what it did not), so they are logged, not returned.
func (m *Migration) runEarly(ctx context.Context) error {
	p := m.early
	defer close(p.done)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-p.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	if err := p.early.Run(ctx); err != nil {
		m.cfg.Log.Warn().Err(err).Msg("early checksum stopped; the consistent point compares the rest")
		return nil
	}
	if r := p.early.Rest(); r.All {
		m.cfg.Log.Info().Int64("rows", r.Rows).Int("ranges_left", len(r.Holes)).Int("differing", len(r.Keys)).
			Msg("early checksum reached the end of the table")
	}
	return nil
}

// pointRest stops the early pass and says what the consistent point must
// compare: everything, unless the early pass compared some rows and every key
// the stream reported since it began is known.
func (m *Migration) pointRest() checksum.Rest {
	p := m.early
	if p == nil {
		return checksum.Rest{}
	}
	if !p.ended {
		close(p.stop)
		<-p.done
		p.rest, p.ended = p.early.Rest(), true
	}
	keys, complete := m.applier.Touched()
	if !complete {
		m.cfg.Log.Info().Msg("too many keys changed since the early checksum began: the point compares every row")
		return checksum.Rest{}
	}
	rest := p.rest
	m.cfg.Log.Info().Int64("rows_compared_early", rest.Rows).Bool("to_the_end", rest.All).Int("ranges_left", len(rest.Holes)).
		Int("keys_to_compare", len(rest.Keys)+len(keys)).Msg("early checksum")
	rest.Keys = append(append([][]any(nil), rest.Keys...), keys...)
	return rest
}
