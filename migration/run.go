package migration

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hotswap/hotswap/applier"
	"github.com/hotswap/hotswap/binlog"
	"github.com/hotswap/hotswap/copier"
	"github.com/hotswap/hotswap/dialect/mysql"
)

// Run performs the migration (or the dry run). A *Refused error means nothing
// was changed; any other error was reported with what is left behind.
func (m *Migration) Run(ctx context.Context) (err error) {
	m.started = time.Now()
	defer m.close()
	defer func() {
		if err != nil {
			m.state.Store(StateFailed)
		}
	}()
	if err := m.connect(ctx); err != nil {
		return err
	}
	if err := m.preflight(ctx); err != nil {
		return err
	}
	if err := m.prepareShadow(ctx); err != nil {
		return err
	}
	if !m.cfg.Execute {
		return m.dryRun(ctx)
	}
	if err := m.execute(ctx); err != nil {
		m.reportLeftovers(err)
		return err
	}
	return m.finish(ctx)
}

// execute streams, copies, applies and cuts over. The stream starts before
// the copy so no change after its start position is missed.
func (m *Migration) execute(ctx context.Context) error {
	db := m.cfg.Conn.Database
	start, err := mysql.MasterPos(ctx, m.db)
	if err != nil {
		return err
	}
	m.stream = binlog.NewMySQLStream(binlog.MySQLConfig{
		Host: m.cfg.Conn.Host, Port: m.cfg.Conn.Port, User: m.cfg.Conn.User, Password: m.cfg.Conn.Password,
		MariaDB: m.server.MariaDB, Database: db, Table: m.cfg.Table, Key: keyDecoder(m.src, m.srcKey),
	})
	m.applier = applier.New(m.rows.ResyncTx, applier.Options{})
	m.copier = copier.New(m.rows, copier.Options{ChunkSize: m.cfg.ChunkSize, Threads: m.cfg.Threads,
		Missing: m.applier.Add})
	m.cfg.Log.Info().Str("binlog_start", start.String()).Str("shadow", m.shadow).Msg("stream started")

	runCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	background := func(name string, f func(context.Context) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(runCtx); err != nil && runCtx.Err() == nil {
				cancel(fmt.Errorf("%s: %w", name, err))
			}
		}()
	}
	background("binlog stream", func(c context.Context) error { return m.stream.Run(c, start, m.applier) })
	background("applier", m.applier.Run)
	background("progress", m.progress)
	err = m.copyAndCutOver(runCtx)
	if err != nil {
		if cause := context.Cause(runCtx); cause != nil && !errors.Is(cause, context.Canceled) {
			err = cause // the background failure is the root of it
		}
	}
	cancel(nil)
	wg.Wait()
	if err == nil && !m.swapped {
		err = errors.New("run ended without a cut-over")
	}
	return err
}

func (m *Migration) copyAndCutOver(ctx context.Context) error {
	m.setState(StateCopying)
	if err := m.copier.Run(ctx); err != nil {
		return err
	}
	m.cfg.Log.Info().Int64("rows", m.copier.Copied()).Dur("elapsed", time.Since(m.started)).Msg("copy done")
	m.setState(StateApplying)
	if err := m.CaughtUp(ctx); err != nil {
		return err
	}
	if err := m.waitPostponed(ctx); err != nil {
		return err
	}
	if err := m.verify(ctx); err != nil {
		return err
	}
	return m.cutOver(ctx)
}

func (m *Migration) close() {
	if m.lockConn != nil {
		m.lockConn.Close()
	}
	if m.db != nil {
		m.db.Close()
	}
}
