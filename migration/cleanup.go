package migration

import (
	"context"
	"fmt"

	"github.com/hotswap/hotswap/dialect/mysql"
	"github.com/hotswap/hotswap/dialect/postgres"
	"github.com/hotswap/hotswap/schema"
	"github.com/jackc/pgx/v5"
)

// leftoverObject is something a run that could not clean up left behind.
type leftoverObject struct {
	what string // e.g. "shadow table bench._t_new"
	drop func(ctx context.Context) error
	sql  string // the statement drop runs, shown first
}

// Cleanup lists what earlier runs on the table left behind (shadow table,
// cut-over sentry, heartbeat table; on PostgreSQL also the probe table, the
// replication slot and the publication) and, with cfg.Execute, drops it.
// It never drops the old table a finished run kept, and refuses while a run
// on the table is live (it holds the run lock).
func Cleanup(ctx context.Context, cfg Config) error {
	m := New(cfg)
	defer m.eng.close()
	if err := m.eng.connect(ctx); err != nil {
		return err
	}
	found, err := m.eng.leftovers(ctx)
	if err != nil {
		return err
	}
	out := m.cfg.Out
	if len(found) == 0 {
		fmt.Fprintf(out, "Nothing left behind by hotswap for %s.\n", m.tableName())
		return nil
	}
	for _, l := range found {
		fmt.Fprintf(out, "Left behind: %s\n    %s\n", l.what, l.sql)
	}
	if !m.cfg.Execute {
		fmt.Fprintf(out, "Run again with --execute to drop these.\n")
		return nil
	}
	for _, l := range found {
		if err := l.drop(ctx); err != nil {
			return fmt.Errorf("drop %s: %w", l.what, err)
		}
		fmt.Fprintf(out, "Dropped %s.\n", l.what)
	}
	return nil
}

func (e *mysqlEngine) leftovers(ctx context.Context) ([]leftoverObject, error) {
	if err := e.takeRunLock(ctx); err != nil {
		return nil, err
	}
	c := e.m.cfg
	db := c.Conn.Database
	var out []leftoverObject
	for _, kind := range []struct{ suffix, what string }{{"new", "shadow table"}, {"old", "cut-over sentry"}, {"hb", "heartbeat table"}, {"chk", "checkpoint table"}, {"bf", "backfill checkpoint table"}} {
		name := schema.DerivedName(c.Table, kind.suffix, mysql.MaxNameLen)
		exists, err := mysql.TableExists(ctx, e.db, db, name)
		if err != nil || !exists {
			if err != nil {
				return nil, err
			}
			continue
		}
		if kind.suffix == "old" {
			if sentry, err := mysql.IsSentry(ctx, e.db, db, name); err != nil || !sentry {
				if err != nil {
					return nil, err
				}
				fmt.Fprintf(e.m.cfg.Out, "Kept: %s.%s is the old table of a finished run, not a leftover; drop it yourself when no longer needed.\n", db, name)
				continue
			}
		}
		out = append(out, leftoverObject{what: kind.what + " " + db + "." + name,
			sql:  "DROP TABLE " + mysql.Quote(db) + "." + mysql.Quote(name),
			drop: func(ctx context.Context) error { return mysql.DropTable(ctx, e.db, db, name) }})
	}
	return out, nil
}

func (e *postgresEngine) leftovers(ctx context.Context) ([]leftoverObject, error) {
	if err := e.takeRunLock(ctx); err != nil {
		return nil, err
	}
	c := e.m.cfg
	var out []leftoverObject
	for _, kind := range []struct{ suffix, what string }{{"new", "shadow table"}, {"probe", "probe table"}, {"hb", "heartbeat table"}, {"chk", "checkpoint table"}, {"bf", "backfill checkpoint table"}} {
		name := schema.DerivedName(c.Table, kind.suffix, pgMaxNameLen)
		exists, err := postgres.TableExists(ctx, e.db, c.Schema, name)
		if err != nil {
			return nil, err
		}
		if exists {
			out = append(out, leftoverObject{what: kind.what + " " + c.Schema + "." + name, sql: "DROP TABLE " + pgx.Identifier{c.Schema, name}.Sanitize(),
				drop: func(ctx context.Context) error { return postgres.DropTable(ctx, e.db, c.Schema, name) }})
		}
	}
	slot := postgres.SlotName(c.Conn.Database+"."+c.Schema, c.Table)
	pub := postgres.PublicationName(c.Conn.Database+"."+c.Schema, c.Table)
	slots, err := postgres.StraySlots(ctx, e.db, slot)
	if err != nil {
		return nil, err
	}
	for _, s := range slots {
		if s == slot {
			out = append(out, leftoverObject{what: "replication slot " + slot, sql: "SELECT pg_drop_replication_slot('" + slot + "')",
				drop: func(ctx context.Context) error { return postgres.DropSlot(ctx, e.db, slot) }})
		}
	}
	exists, err := postgres.PublicationExists(ctx, e.db, pub)
	if err != nil {
		return nil, err
	}
	if exists {
		out = append(out, leftoverObject{what: "publication " + pub, sql: "DROP PUBLICATION " + pgx.Identifier{pub}.Sanitize(),
			drop: func(ctx context.Context) error { return postgres.DropPublication(ctx, e.db, pub) }})
	}
	return out, nil
}
