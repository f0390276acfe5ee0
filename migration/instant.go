package migration

import (
	"context"
	"fmt"
	"time"
)

// tryInstant runs the ALTER on the table itself when the server can do it
// without copying (--attempt-instant-ddl), waiting for its lock no longer
// than the cut-over would. It returns whether it did; if not, the online
// copy follows and the reason is logged.
func (m *Migration) tryInstant(ctx context.Context) (bool, error) {
	t0 := time.Now()
	done, why, err := m.eng.AlterInstant(ctx)
	if err != nil {
		return false, m.refuseAndDrop(err)
	}
	if !done {
		m.cfg.Log.Info().Str("reason", why).Msg("the ALTER cannot be done instantly; copying online")
		return false, nil
	}
	if err := m.dropShadow(); err != nil {
		m.cfg.Log.Warn().Err(err).Str("shadow", m.shadow).Msg("the shadow table used to check the ALTER is left: drop it")
	}
	m.instant.Store(true)
	m.SetState(StateDone)
	took := time.Since(t0).Round(time.Millisecond)
	m.cfg.Log.Info().Dur("took", time.Since(t0)).Msg("ALTER done in place, instantly")
	fmt.Fprintf(m.cfg.Out, "Migration of %s done in place in %s: the server made the change without copying (--attempt-instant-ddl); no old table to drop.\n",
		m.tableName(), took)
	return true, nil
}

// Instant says whether the run ended with the server making the change in
// place (--attempt-instant-ddl), nothing copied.
func (m *Migration) Instant() bool { return m.instant.Load() }
