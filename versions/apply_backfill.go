package versions

import (
	"context"

	"github.com/hotswap/hotswap/backfill"
	"github.com/hotswap/hotswap/migration"
)

// runBackfill runs an UPDATE or DELETE as a background backfill (package
// backfill): chunk by chunk in key order, throttled and controllable as an
// online ALTER, each chunk committed on its own. It continues from the
// checkpoint a killed or failed run left (the same statement's: any other
// is refused), so no statement-level flag is needed: chunks after the
// checkpoint's watermark run again, which the statement is checked to
// make harmless (parseDataChange).
func (r *runner) runBackfill(ctx context.Context, how plan) (int64, error) {
	on := r.cfg.Online
	cfg := backfill.Config{Engine: r.cfg.Engine, Conn: r.cfg.Conn, Schema: r.cfg.Schema, Table: how.table,
		Template: how.change.template, Assigns: how.change.assigns, Execute: true, ResumeIfAny: true,
		ChunkSize: on.ChunkSize, Threads: on.Threads, Settings: on.Settings, Log: r.cfg.Log, Out: r.cfg.Out,
		SessionSchema: r.cfg.Schema} // unqualified names as the direct statements see them (engine.Database.Exec)
	if how.schema != "" {
		if cfg.Engine == migration.EnginePostgres {
			cfg.Schema = how.schema
		} else {
			cfg.Conn.Database, cfg.SessionSchema = how.schema, r.cfg.Conn.Database
		}
	}
	b := backfill.New(cfg)
	err := b.Run(ctx)
	return b.Changed(), err
}
