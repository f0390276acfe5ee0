package postgres

import (
	"context"
	"database/sql"
	"fmt"
)

// InventoryTable is a base table of the database as `hotswap status` reads it.
type InventoryTable struct{ Schema, Name string }

// inventoryTablesSQL lists the base (and partitioned) tables of every
// schema but the system's.
const inventoryTablesSQL = `SELECT n.nspname::text, c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	WHERE c.relkind IN ('r', 'p') AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_' ORDER BY 1, 2`

// InventoryTables lists the tables of every schema of the database.
func InventoryTables(ctx context.Context, q Querier) ([]InventoryTable, error) {
	rows, err := q.QueryContext(ctx, inventoryTablesSQL)
	if err != nil {
		return nil, fmt.Errorf("list the tables of the database: %w", err)
	}
	defer rows.Close()
	var out []InventoryTable
	for rows.Next() {
		var t InventoryTable
		if err := rows.Scan(&t.Schema, &t.Name); err != nil {
			return nil, fmt.Errorf("list the tables of the database: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// heldAdvisoryLocksSQL lists the bigint advisory locks granted in the
// current database with their sessions: pg_locks splits the key into its
// high (classid) and low (objid) 32 bits, objsubid 1 telling the bigint
// form from the two-int4 one.
const heldAdvisoryLocksSQL = `SELECT (l.classid::bigint << 32) | l.objid::bigint, l.pid FROM pg_locks l
	WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
	AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`

// runLockHashesSQL is the key TryRunLock locks for each text of $1, in order.
const runLockHashesSQL = `SELECT hashtextextended(k, 0) FROM unnest($1::text[]) WITH ORDINALITY AS u(k, i) ORDER BY i`

// RunLockHolders maps each of tables whose run lock a session holds to its
// pid, and each of schemas whose migrate lock one holds (MigrateLockKey of
// database) to its pid. It only reads pg_locks.
func RunLockHolders(ctx context.Context, q Querier, database string, tables []InventoryTable, schemas []string) (map[InventoryTable]int64, map[string]int64, error) {
	held, err := heldAdvisoryLocks(ctx, q)
	if err != nil || len(held) == 0 {
		return nil, nil, err
	}
	migrate := map[string]int64{}
	for _, s := range schemas {
		if pid, ok := held[MigrateLockKey(database, s)]; ok {
			migrate[s] = pid
		}
	}
	keys, err := runLockHashes(ctx, q, tables)
	if err != nil {
		return nil, nil, err
	}
	runs := map[InventoryTable]int64{}
	for i, k := range keys {
		if pid, ok := held[k]; ok {
			runs[tables[i]] = pid
		}
	}
	return runs, migrate, nil
}

func heldAdvisoryLocks(ctx context.Context, q Querier) (map[int64]int64, error) {
	rows, err := q.QueryContext(ctx, heldAdvisoryLocksSQL)
	if err != nil {
		return nil, fmt.Errorf("read the advisory locks held: %w", err)
	}
	defer rows.Close()
	out := map[int64]int64{}
	for rows.Next() {
		var key, pid int64
		if err := rows.Scan(&key, &pid); err != nil {
			return nil, fmt.Errorf("read the advisory locks held: %w", err)
		}
		out[key] = pid
	}
	return out, rows.Err()
}

// runLockHashes is the run lock key of each table, hashed by the server as
// TryRunLock has it hashed.
func runLockHashes(ctx context.Context, q Querier, tables []InventoryTable) ([]int64, error) {
	texts := make([]string, len(tables))
	for i, t := range tables {
		texts[i] = runLockKey(t.Schema, t.Name)
	}
	rows, err := q.QueryContext(ctx, runLockHashesSQL, texts)
	if err != nil {
		return nil, fmt.Errorf("hash the run lock keys: %w", err)
	}
	defer rows.Close()
	out := make([]int64, 0, len(texts))
	for rows.Next() {
		var k int64
		if err := rows.Scan(&k); err != nil {
			return nil, fmt.Errorf("hash the run lock keys: %w", err)
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// slotPrefix starts every name SlotName and RevertSlotName make.
const slotPrefix = "hotswap_"

// InventorySlot is a logical replication slot of hotswap's naming.
type InventorySlot struct {
	Name        string
	Active      bool
	PID         int64  // the session streaming from it; 0 when none
	WALRetained *int64 // bytes of WAL kept for it; nil when it holds none (invalidated)
}

// hotswapSlotsSQL lists the slots of the current database named as
// hotswap names them, with the WAL each keeps: from its restart_lsn to the
// server's current position (on a standby, the last received one).
const hotswapSlotsSQL = `SELECT slot_name::text, active, COALESCE(active_pid, 0),
	pg_wal_lsn_diff(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_receive_lsn() ELSE pg_current_wal_lsn() END, restart_lsn)::bigint
	FROM pg_replication_slots WHERE database = current_database() AND starts_with(slot_name::text, $1) ORDER BY 1`

// HotswapSlots lists the slots named as hotswap names them.
func HotswapSlots(ctx context.Context, q Querier) ([]InventorySlot, error) {
	rows, err := q.QueryContext(ctx, hotswapSlotsSQL, slotPrefix)
	if err != nil {
		return nil, fmt.Errorf("list replication slots named %s*: %w", slotPrefix, err)
	}
	defer rows.Close()
	var out []InventorySlot
	for rows.Next() {
		var s InventorySlot
		var wal sql.NullInt64
		if err := rows.Scan(&s.Name, &s.Active, &s.PID, &wal); err != nil {
			return nil, fmt.Errorf("list replication slots named %s*: %w", slotPrefix, err)
		}
		if wal.Valid {
			s.WALRetained = &wal.Int64
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// HotswapPublications lists the publications named as hotswap names them.
func HotswapPublications(ctx context.Context, q Querier) ([]string, error) {
	pubs, err := catalogStrings(ctx, q, `SELECT pubname::text FROM pg_publication WHERE starts_with(pubname::text, $1) ORDER BY 1`, slotPrefix)
	if err != nil {
		return nil, fmt.Errorf("list publications named %s*: %w", slotPrefix, err)
	}
	return pubs, nil
}

// SlotOwner is the table whose run a slot (and its publication) serves.
type SlotOwner struct {
	InventoryTable
	Revert bool // a revert window's
}

// SlotOwners maps the slot names runs on tables would use to the tables:
// a run names its slot after "database.schema" and the table
// (engine/postgres preflight.go, reverse.go).
func SlotOwners(database string, tables []InventoryTable) map[string]SlotOwner {
	out := make(map[string]SlotOwner, 2*len(tables))
	for _, t := range tables {
		scope := database + "." + t.Schema
		out[SlotName(scope, t.Name)] = SlotOwner{InventoryTable: t}
		out[RevertSlotName(scope, t.Name)] = SlotOwner{InventoryTable: t, Revert: true}
	}
	return out
}
