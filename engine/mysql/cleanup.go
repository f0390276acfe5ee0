package mysql

import (
	"context"
	"fmt"
	"strings"
	"time"

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
	out, err := e.carriedKeyLeftovers(ctx, nil) // first: a key of another table on the shadow keeps it from being dropped
	if err != nil {
		return nil, err
	}
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
	return e.carriedTriggerLeftovers(ctx, out)
}

// carriedKeyLeftovers adds the foreign keys a crash after the cut-over's
// RENAME left: temporary names on the new table, keys still on the old one
// (which refuse deletes of parents whose rows it holds).
func (e *Engine) carriedKeyLeftovers(ctx context.Context, out []engine.Leftover) ([]engine.Leftover, error) {
	c := e.spec
	db := c.Conn.Database
	shadow := schema.DerivedName(c.Table, "new", dialect.MaxNameLen)
	old := schema.DerivedName(c.Table, "old", dialect.MaxNameLen)
	left, err := dialect.KeysLeftAfterSwap(ctx, e.db, db, c.Table, shadow, old)
	if err != nil || len(left) == 0 {
		return out, err
	}
	return append(out, engine.Leftover{What: "foreign keys a cut-over left to finish: " + strings.Join(left, ", "),
		SQL: fmt.Sprintf("-- with foreign_key_checks = 0: drop the foreign keys of %s.%s; on %s.%s and on the tables whose keys reference it (or %s), drop each key named *%s and add it again under its name without the suffix, referencing %s",
			db, old, db, c.Table, shadow, dialect.TriggerSuffix, c.Table),
		Drop: func(ctx context.Context) error {
			if _, err := dialect.RestoreChildKeys(ctx, e.db, db, c.Table, shadow, 10*time.Second); err != nil {
				return err
			}
			_, err := dialect.RestoreForeignKeyNames(ctx, e.db, db, c.Table, shadow, old, 10*time.Second)
			return err
		}}), nil
}

// carriedTriggerLeftovers adds the triggers a cut-over carried to the new
// table whose own names a crash kept them from getting back: their
// temporary names are what is dropped (dialect.RestoreTriggerNames).
func (e *Engine) carriedTriggerLeftovers(ctx context.Context, out []engine.Leftover) ([]engine.Leftover, error) {
	c := e.spec
	db := c.Conn.Database
	trgs, err := dialect.CarriedTriggers(ctx, e.db, db, c.Table)
	if err != nil || len(trgs) == 0 {
		return out, err
	}
	old := schema.DerivedName(c.Table, "old", dialect.MaxNameLen)
	for _, t := range trgs {
		out = append(out, engine.Leftover{What: fmt.Sprintf("temporary name %s of trigger %s on %s.%s", t.TempName(), t.Name, db, c.Table),
			SQL: fmt.Sprintf("-- with %s.%s write-locked: DROP TRIGGER %s (on the old table, if there); CREATE TRIGGER %s ... (as %s); DROP TRIGGER %s",
				db, c.Table, dialect.Quote(t.Name), dialect.Quote(t.Name), dialect.Quote(t.TempName()), dialect.Quote(t.TempName())),
			Drop: func(ctx context.Context) error {
				return dialect.RestoreTriggerNames(ctx, e.db, db, c.Table, old, []dialect.Trigger{t}, 10*time.Second)
			}})
	}
	return out, nil
}
