package mysql

import (
	"context"
	"database/sql"
	"fmt"

	dialect "github.com/hotswap/hotswap/dialect/mysql"
	"github.com/hotswap/hotswap/engine"
	"github.com/hotswap/hotswap/internal/dbconn"
)

// inventory lists the runs live or left in conn's database: run locks
// held, checkpoint and leftover tables, unfinished versions of migrate. It
// only reads (IS_USED_LOCK takes no lock).
func inventory(ctx context.Context, conn dbconn.Config, _ string) ([]engine.RunInfo, error) {
	db, err := dialect.Open(ctx, conn)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	name := conn.Database
	tables, err := dialect.InventoryTables(ctx, db, name)
	if err != nil {
		return nil, err
	}
	s := engine.SchemaTables{Schema: name, Sentries: map[string]bool{}, MaxNameLen: dialect.MaxNameLen,
		Leftovers: []string{"new", "old", "hb"}} // as Leftovers (cleanup.go) drops them
	lockOf := map[string]string{dialect.MigrateLockName(name): ""}
	for _, t := range tables {
		s.Tables = append(s.Tables, t.Name)
		s.Sentries[t.Name] = t.Sentry
		lockOf[dialect.RunLockName(name, t.Name)] = t.Name
	}
	holders, err := lockHolders(ctx, db, lockOf)
	if err != nil {
		return nil, err
	}
	migrateHolder := holders[""]
	delete(holders, "")
	s.Holders = holders
	runs, err := engine.TableRuns(ctx, s, checkpoints{db})
	if err != nil {
		return nil, err
	}
	history, err := (&database{db: db, name: name}).History(ctx)
	if err != nil {
		return nil, err
	}
	return append(runs, engine.VersionsLeft(name, history, migrateHolder)...), nil
}

// lockHolders maps the table of each lock of lockOf (lock name → table)
// that a session holds to "connection <id>".
func lockHolders(ctx context.Context, db *sql.DB, lockOf map[string]string) (map[string]string, error) {
	names := make([]string, 0, len(lockOf))
	for n := range lockOf {
		names = append(names, n)
	}
	used, err := dialect.UsedLocks(ctx, db, names)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for n, id := range used {
		out[lockOf[n]] = fmt.Sprintf("connection %d", id)
	}
	return out, nil
}

// checkpoints reads checkpoint tables and estimates for engine.TableRuns.
type checkpoints struct{ db *sql.DB }

func (c checkpoints) LoadCheckpoint(ctx context.Context, database, name string) (string, string, bool, error) {
	return dialect.LoadCheckpoint(ctx, c.db, database, name)
}

func (c checkpoints) EstimateRows(ctx context.Context, database, table string) (int64, error) {
	rows, _, _, err := dialect.TableSize(ctx, c.db, database, table)
	return rows, err
}
