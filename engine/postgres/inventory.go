package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"sort"

	dialect "github.com/hotswap/hotswap/dialect/postgres"
	"github.com/hotswap/hotswap/engine"
	"github.com/hotswap/hotswap/internal/dbconn"
)

// inventory lists the runs live or left in conn's database (in schema
// only, when not ""): run locks held, checkpoint and leftover tables,
// unfinished versions of migrate, and the replication slots and
// publications of hotswap's naming. It only reads catalogs and pg_locks.
func inventory(ctx context.Context, conn dbconn.Config, schema string) ([]engine.RunInfo, error) {
	db, err := dialect.Open(ctx, pgConfig(conn))
	if err != nil {
		return nil, err
	}
	defer db.Close()
	all, err := dialect.InventoryTables(ctx, db)
	if err != nil {
		return nil, err
	}
	var tables []dialect.InventoryTable // the ones of schema; slots are matched against all
	bySchema := map[string][]string{}
	for _, t := range all {
		if schema == "" || t.Schema == schema {
			tables = append(tables, t)
			bySchema[t.Schema] = append(bySchema[t.Schema], t.Name)
		}
	}
	out, err := schemaRuns(ctx, db, conn.Database, tables, bySchema)
	if err != nil {
		return nil, err
	}
	streams, err := streamRuns(ctx, db, conn.Database, all)
	if err != nil {
		return nil, err
	}
	for _, ri := range streams {
		if schema == "" || ri.Schema == schema || ri.Table == "" {
			out = append(out, ri)
		}
	}
	return out, nil
}

// schemaRuns lists the runs on the tables of each schema and the
// unfinished versions of the schemas with a history table.
func schemaRuns(ctx context.Context, db *sql.DB, dbName string, tables []dialect.InventoryTable, bySchema map[string][]string) ([]engine.RunInfo, error) {
	var withHistory []string
	for _, t := range tables {
		if t.Name == engine.HistoryTable {
			withHistory = append(withHistory, t.Schema)
		}
	}
	runHolders, migrateHolders, err := dialect.RunLockHolders(ctx, db, dbName, tables, withHistory)
	if err != nil {
		return nil, err
	}
	schemas := make([]string, 0, len(bySchema))
	for s := range bySchema {
		schemas = append(schemas, s)
	}
	sort.Strings(schemas)
	var out []engine.RunInfo
	for _, s := range schemas {
		st := engine.SchemaTables{Schema: s, Tables: bySchema[s], Holders: map[string]string{}, MaxNameLen: pgMaxNameLen,
			Leftovers: []string{"new", "probe", "hb"}, // as Leftovers (cleanup.go) drops them
			TableArg:  func(t string) string { return s + "." + t }}
		for t, pid := range runHolders {
			if t.Schema == s {
				st.Holders[t.Name] = pidHolder(pid)
			}
		}
		runs, err := engine.TableRuns(ctx, st, checkpoints{db})
		if err != nil {
			return nil, err
		}
		out = append(out, runs...)
	}
	for _, s := range withHistory {
		history, err := (&database{db: db, name: dbName, schema: s}).History(ctx)
		if err != nil {
			return nil, err
		}
		holder := ""
		if pid, ok := migrateHolders[s]; ok {
			holder = pidHolder(pid)
		}
		out = append(out, engine.VersionsLeft(s, history, holder)...)
	}
	return out, nil
}

func pidHolder(pid int64) string { return fmt.Sprintf("pid %d", pid) }

// streamRuns lists the slots and publications of hotswap's naming, each
// matched to the table whose run named it when that table is still there;
// a publication goes with its slot (they share the name).
func streamRuns(ctx context.Context, db *sql.DB, database string, tables []dialect.InventoryTable) ([]engine.RunInfo, error) {
	owners := dialect.SlotOwners(database, tables)
	slots, err := dialect.HotswapSlots(ctx, db)
	if err != nil {
		return nil, err
	}
	pubs, err := dialect.HotswapPublications(ctx, db)
	if err != nil {
		return nil, err
	}
	pubLeft := map[string]bool{}
	for _, p := range pubs {
		pubLeft[p] = true
	}
	var out []engine.RunInfo
	for _, sl := range slots {
		ri := streamRun(engine.KindSlot, sl.Name, owners)
		ri.Objects = []string{"slot " + sl.Name}
		if pubLeft[sl.Name] {
			ri.Objects = append(ri.Objects, "publication "+sl.Name)
			delete(pubLeft, sl.Name)
		}
		ri.WALRetained = sl.WALRetained
		if sl.Active {
			ri.State, ri.HeldBy, ri.Hint = engine.Live, pidHolder(sl.PID), ""
		}
		out = append(out, ri)
	}
	for _, p := range pubs {
		if pubLeft[p] {
			ri := streamRun(engine.KindPublication, p, owners)
			ri.Objects = []string{"publication " + p}
			out = append(out, ri)
		}
	}
	return out, nil
}

// streamRun is a slot or publication left, with what drops it: the
// cleanup of its table, or the statement when the table is gone.
func streamRun(kind, name string, owners map[string]dialect.SlotOwner) engine.RunInfo {
	ri := engine.RunInfo{Kind: kind, State: engine.Left}
	owner, ok := owners[name]
	if !ok {
		drop := dialect.DropPublicationSQL(name)
		if kind == engine.KindSlot {
			drop = dialect.DropSlotSQL(name) + "; " + drop
		}
		ri.Hint = "its table is gone: drop it with " + drop
		return ri
	}
	ri.Schema, ri.Table = owner.Schema, owner.Name
	if owner.Revert {
		ri.Kind = "revert window " + kind
	}
	ri.Hint = fmt.Sprintf("resume its run with --resume, or `hotswap cleanup --table %s.%s --execute` to drop it", owner.Schema, owner.Name)
	if kind == engine.KindSlot {
		ri.Hint = "it keeps WAL on the server until dropped: " + ri.Hint
	}
	return ri
}

// checkpoints reads checkpoint tables and estimates for engine.TableRuns.
type checkpoints struct{ db *sql.DB }

func (c checkpoints) LoadCheckpoint(ctx context.Context, schema, name string) (string, string, bool, error) {
	return dialect.LoadCheckpoint(ctx, c.db, schema, name)
}

func (c checkpoints) EstimateRows(ctx context.Context, schema, table string) (int64, error) {
	return dialect.EstimateRows(ctx, c.db, schema, table)
}
