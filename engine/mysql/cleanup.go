package mysql

import (
	"context"
	"fmt"

	dialect "github.com/hotswap/hotswap/dialect/mysql"
	"github.com/hotswap/hotswap/engine"
	"github.com/hotswap/hotswap/schema"
)

// Leftovers takes the run lock and lists what dead runs left: the tables of
// every name a run derives, but never the old table a finished run kept.
func (e *Engine) Leftovers(ctx context.Context) ([]engine.Leftover, error) {
	if err := e.takeRunLock(ctx); err != nil {
		return nil, err
	}
	c := e.spec
	db := c.Conn.Database
	var out []engine.Leftover
	for _, kind := range []struct{ suffix, what string }{{"new", "shadow table"}, {"old", "cut-over sentry"}, {"hb", "heartbeat table"}, {"chk", "checkpoint table"}, {"bf", "backfill checkpoint table"}} {
		name := schema.DerivedName(c.Table, kind.suffix, dialect.MaxNameLen)
		exists, err := dialect.TableExists(ctx, e.db, db, name)
		if err != nil || !exists {
			if err != nil {
				return nil, err
			}
			continue
		}
		if kind.suffix == "old" {
			if sentry, err := dialect.IsSentry(ctx, e.db, db, name); err != nil || !sentry {
				if err != nil {
					return nil, err
				}
				fmt.Fprintf(e.spec.Out, "Kept: %s.%s is the old table of a finished run, not a leftover; drop it yourself when no longer needed.\n", db, name)
				continue
			}
		}
		out = append(out, engine.Leftover{What: kind.what + " " + db + "." + name,
			SQL:  dialect.DropTableSQL(db, name),
			Drop: func(ctx context.Context) error { return dialect.DropTable(ctx, e.db, db, name) }})
	}
	return out, nil
}
