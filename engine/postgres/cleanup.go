package postgres

import (
	"context"

	dialect "github.com/hotswap/hotswap/dialect/postgres"
	"github.com/hotswap/hotswap/engine"
	"github.com/hotswap/hotswap/schema"
)

// Leftovers takes the run lock and lists what dead runs on the table left:
// its shadow, probe, heartbeat and checkpoint tables, its replication slot
// and its publication, and a revert window's (never the old table a
// finished run kept, nor the table a revert set aside).
func (e *Engine) Leftovers(ctx context.Context) ([]engine.Leftover, error) {
	if err := e.takeRunLock(ctx); err != nil {
		return nil, err
	}
	c := e.spec
	var out []engine.Leftover
	for _, kind := range []struct{ suffix, what string }{{"new", "shadow table"}, {"probe", "probe table"}, {"hb", "heartbeat table"}, {"chk", "checkpoint table"}, {"bf", "backfill checkpoint table"}} {
		name := schema.DerivedName(c.Table, kind.suffix, pgMaxNameLen)
		exists, err := dialect.TableExists(ctx, e.db, c.Schema, name)
		if err != nil {
			return nil, err
		}
		if exists {
			out = append(out, engine.Leftover{What: kind.what + " " + c.Schema + "." + name, SQL: dialect.DropTableSQL(c.Schema, name),
				Drop: func(ctx context.Context) error { return dialect.DropTable(ctx, e.db, c.Schema, name) }})
		}
	}
	for _, kind := range []struct{ what, name string }{
		{"", dialect.SlotName(c.Conn.Database+"."+c.Schema, c.Table)},
		{"revert window's ", dialect.RevertSlotName(c.Conn.Database+"."+c.Schema, c.Table)},
	} {
		found, err := e.streamLeftovers(ctx, kind.what, kind.name, kind.name)
		if err != nil {
			return nil, err
		}
		out = append(out, found...)
	}
	return out, nil
}

// streamLeftovers lists the replication slot and the publication of these
// names, if there; what qualifies them.
func (e *Engine) streamLeftovers(ctx context.Context, what, slot, pub string) ([]engine.Leftover, error) {
	var out []engine.Leftover
	slots, err := dialect.StraySlots(ctx, e.db, slot)
	if err != nil {
		return nil, err
	}
	for _, s := range slots {
		if s == slot {
			out = append(out, engine.Leftover{What: what + "replication slot " + slot, SQL: dialect.DropSlotSQL(slot),
				Drop: func(ctx context.Context) error { return dialect.DropSlot(ctx, e.db, slot) }})
		}
	}
	exists, err := dialect.PublicationExists(ctx, e.db, pub)
	if err != nil {
		return nil, err
	}
	if exists {
		out = append(out, engine.Leftover{What: what + "publication " + pub, SQL: dialect.DropPublicationSQL(pub),
			Drop: func(ctx context.Context) error { return dialect.DropPublication(ctx, e.db, pub) }})
	}
	return out, nil
}
