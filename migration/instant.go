package migration

import (
	"context"
	"fmt"
	"time"

	"github.com/hotswap/hotswap/dialect/mysql"
	"github.com/hotswap/hotswap/dialect/postgres"
	"github.com/hotswap/hotswap/schema"
)

// tryInstant runs the ALTER on the table itself when the server can do it
// without copying (--attempt-instant-ddl), waiting for its lock no longer
// than the cut-over would. It returns whether it did; if not, the online
// copy follows and the reason is logged.
func (m *Migration) tryInstant(ctx context.Context) (bool, error) {
	t0 := time.Now()
	done, why, err := m.eng.alterInstant(ctx)
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
	m.setState(StateDone)
	took := time.Since(t0).Round(time.Millisecond)
	m.cfg.Log.Info().Dur("took", time.Since(t0)).Msg("ALTER done in place, instantly")
	fmt.Fprintf(m.cfg.Out, "Migration of %s done in place in %s: the server made the change without copying (--attempt-instant-ddl); no old table to drop.\n",
		m.tableName(), took)
	return true, nil
}

func (e *mysqlEngine) alterInstant(ctx context.Context) (bool, string, error) {
	c := e.m.cfg
	return mysql.AlterInstant(ctx, e.db, c.Conn.Database, c.Table, e.alter.Text, c.CutOverLockTimeout)
}

// alterInstant first applies the ALTER to an empty probe copy to see whether
// PostgreSQL rewrites or scans for it; only a change that does neither is run
// on the table.
func (e *postgresEngine) alterInstant(ctx context.Context) (bool, string, error) {
	c := e.m.cfg
	probe := schema.DerivedName(c.Table, "probe", pgMaxNameLen)
	instant, why, err := postgres.AlterIsInstant(ctx, e.db, c.Schema, c.Table, probe, c.Alter)
	if err != nil || !instant {
		return false, why, err
	}
	err = postgres.AlterInPlace(ctx, e.db, c.Schema, c.Table, c.Alter, c.CutOverLockTimeout)
	if postgres.IsLockTimeout(err) {
		return false, fmt.Sprintf("the table's lock was not granted within %s", c.CutOverLockTimeout), nil
	}
	return err == nil, "", err
}
