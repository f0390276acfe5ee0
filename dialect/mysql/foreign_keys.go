package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"
)

// ForeignKey is a foreign key from a table to its parent, as the server
// reports it: enough to create it again on another table.
type ForeignKey struct {
	Name                  string
	Columns               []string
	RefDatabase, RefTable string
	RefColumns            []string
	OnDelete, OnUpdate    string // RESTRICT, NO ACTION, CASCADE, SET NULL, SET DEFAULT
}

// Cascades says whether a change of the parent changes the child's rows
// (CASCADE, SET NULL, SET DEFAULT): the server does not write those changes
// to the binary log.
func (k ForeignKey) Cascades() bool {
	keeps := func(a string) bool { return a == "RESTRICT" || a == "NO ACTION" }
	return !keeps(k.OnDelete) || !keeps(k.OnUpdate)
}

// autoKeyInfix is what InnoDB puts between a table's name and a number to
// name a key created without a name; RENAME TABLE renames the keys whose
// name begins with the table's name and it.
const autoKeyInfix = "_ibfk_"

// ShadowKeyName is the name key carries on table's shadow: a generated
// name the shadow's, which the cut-over's RENAME turns back into the
// table's; any other the name with TriggerSuffix, until
// RestoreForeignKeyNames. "" when that name would be too long.
func ShadowKeyName(name, table, shadow string) string {
	if rest, ok := strings.CutPrefix(name, table+autoKeyInfix); ok && len(shadow+autoKeyInfix+rest) <= MaxNameLen {
		return shadow + autoKeyInfix + rest
	}
	if len(name+TriggerSuffix) > MaxNameLen {
		return ""
	}
	return name + TriggerSuffix
}

// carriedKeyName is the name a carried key must take back on table, and
// whether name is a carried one (under its TempName, or the shadow's
// generated name if the server did not rename it).
func carriedKeyName(name, table, shadow string) (string, bool) {
	if orig, ok := strings.CutSuffix(name, TriggerSuffix); ok {
		return orig, true
	}
	if rest, ok := strings.CutPrefix(name, shadow+autoKeyInfix); ok && shadow != "" {
		return table + autoKeyInfix + rest, true
	}
	return "", false
}

// ReadForeignKeys lists the foreign keys of database.table (the table is
// the child), by name.
func ReadForeignKeys(ctx context.Context, q Querier, database, table string) ([]ForeignKey, error) {
	keys, err := readKeys(ctx, q, "r.CONSTRAINT_SCHEMA = ? AND r.TABLE_NAME = ?", database, table)
	if err != nil {
		return nil, fmt.Errorf("read the foreign keys of %s.%s: %w", database, table, err)
	}
	out := make([]ForeignKey, len(keys))
	for i, k := range keys {
		out[i] = k.ForeignKey
	}
	return out, nil
}

// ChildKey is a foreign key of a table (the child) to another.
type ChildKey struct {
	Database, Table string
	ForeignKey
}

// String names the key as child.key (database.child.key in another
// database than database).
func (k ChildKey) String(database string) string {
	if k.Database != database {
		return k.Database + "." + k.Table + "." + k.Name
	}
	return k.Table + "." + k.Name
}

// ReadChildKeys lists the foreign keys that reference database.table (the
// table's own to itself included), by child and name.
func ReadChildKeys(ctx context.Context, q Querier, database, table string) ([]ChildKey, error) {
	keys, err := readKeys(ctx, q, "r.UNIQUE_CONSTRAINT_SCHEMA = ? AND r.REFERENCED_TABLE_NAME = ?", database, table)
	if err != nil {
		return nil, fmt.Errorf("read the foreign keys referencing %s.%s: %w", database, table, err)
	}
	return keys, nil
}

func readKeys(ctx context.Context, q Querier, where string, args ...any) ([]ChildKey, error) {
	rows, err := q.QueryContext(ctx, `SELECT r.CONSTRAINT_SCHEMA, r.TABLE_NAME, r.CONSTRAINT_NAME, r.UNIQUE_CONSTRAINT_SCHEMA,
			r.REFERENCED_TABLE_NAME, r.DELETE_RULE, r.UPDATE_RULE, k.COLUMN_NAME, k.REFERENCED_COLUMN_NAME
		FROM information_schema.REFERENTIAL_CONSTRAINTS r
		JOIN information_schema.KEY_COLUMN_USAGE k ON k.CONSTRAINT_SCHEMA = r.CONSTRAINT_SCHEMA
			AND k.CONSTRAINT_NAME = r.CONSTRAINT_NAME AND k.TABLE_NAME = r.TABLE_NAME
		WHERE `+where+`
		ORDER BY r.CONSTRAINT_SCHEMA, r.TABLE_NAME, r.CONSTRAINT_NAME, k.ORDINAL_POSITION`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ChildKey
	for rows.Next() {
		var k ChildKey
		var col, ref string
		if err := rows.Scan(&k.Database, &k.Table, &k.Name, &k.RefDatabase, &k.RefTable, &k.OnDelete, &k.OnUpdate, &col, &ref); err != nil {
			return nil, err
		}
		if n := len(out); n > 0 && out[n-1].Database == k.Database && out[n-1].Table == k.Table && out[n-1].Name == k.Name {
			out[n-1].Columns = append(out[n-1].Columns, col)
			out[n-1].RefColumns = append(out[n-1].RefColumns, ref)
			continue
		}
		k.Columns, k.RefColumns = []string{col}, []string{ref}
		out = append(out, k)
	}
	return out, rows.Err()
}

// keyDefinitionSQL is the clause that adds k under name. RESTRICT, the
// default, is left out: the server reports a key given none as RESTRICT,
// and one given RESTRICT in an ALTER as NO ACTION (MariaDB 10.11).
func keyDefinitionSQL(name string, k ForeignKey) string {
	def := fmt.Sprintf("ADD CONSTRAINT %s FOREIGN KEY (%s) REFERENCES %s (%s)",
		Quote(name), quoteAll(k.Columns), qualified(k.RefDatabase, k.RefTable), quoteAll(k.RefColumns))
	if k.OnDelete != "RESTRICT" {
		def += " ON DELETE " + k.OnDelete
	}
	if k.OnUpdate != "RESTRICT" {
		def += " ON UPDATE " + k.OnUpdate
	}
	return def
}

func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = Quote(n)
	}
	return strings.Join(q, ", ")
}

// AddForeignKeysSQL adds keys to database.table, each under name(k), as
// metadata only: it must run with foreign_key_checks off (every row already
// holds the key, or the table is empty), which also lets the server add
// them in place, without waiting for the parents' users.
func AddForeignKeysSQL(database, table string, keys []ForeignKey, name func(ForeignKey) string) string {
	clauses := make([]string, len(keys))
	for i, k := range keys {
		clauses[i] = keyDefinitionSQL(name(k), k)
	}
	return fmt.Sprintf("ALTER TABLE %s %s, ALGORITHM=INPLACE, LOCK=NONE", qualified(database, table), strings.Join(clauses, ", "))
}

// DropForeignKeysSQL drops the named keys of database.table, in place.
func DropForeignKeysSQL(database, table string, names []string) string {
	clauses := make([]string, len(names))
	for i, n := range names {
		clauses[i] = "DROP FOREIGN KEY " + Quote(n)
	}
	return fmt.Sprintf("ALTER TABLE %s %s, ALGORITHM=INPLACE, LOCK=NONE", qualified(database, table), strings.Join(clauses, ", "))
}

// KeysOff is what a session runs before AddForeignKeysSQL.
const KeysOff = "SET SESSION foreign_key_checks = 0"

// keysOn undoes KeysOff on a session that goes on.
const keysOn = "SET SESSION foreign_key_checks = 1"

// AlterKeys runs one of the statements above on a connection of its own
// with foreign_key_checks off, discarded afterwards.
func AlterKeys(ctx context.Context, db *sql.DB, stmt string) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer Discard(conn)
	if _, err := conn.ExecContext(ctx, KeysOff); err != nil {
		return err
	}
	_, err = conn.ExecContext(ctx, stmt)
	return err
}

// DropAllForeignKeys drops every foreign key of database.table (the old
// table's after a swap: their checks would refuse the deletes of parents
// whose rows the old table still holds). Nothing when it has none or is gone.
func DropAllForeignKeys(ctx context.Context, db *sql.DB, database, table string) error {
	keys, err := ReadForeignKeys(ctx, db, database, table)
	if err != nil || len(keys) == 0 {
		return err
	}
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = k.Name
	}
	if err := AlterKeys(ctx, db, DropForeignKeysSQL(database, table, names)); err != nil {
		return fmt.Errorf("drop the foreign keys of %s.%s: %w", database, table, err)
	}
	return nil
}

// RestoreForeignKeyNames gives the keys a cut-over carried to
// database.table the names they had: each is dropped and added again under
// its own name in one in-place ALTER (metadata only; the same name twice in
// one ALTER is refused, hence the temporary ones). Keys of the old table,
// which would hold those names, are dropped first. It is idempotent:
// nothing when no key is left to name. It returns how many it named.
func RestoreForeignKeyNames(ctx context.Context, db *sql.DB, database, table, shadow, old string, wait time.Duration) (int, error) {
	if err := DropAllForeignKeys(ctx, db, database, old); err != nil {
		return 0, err
	}
	keys, err := ReadForeignKeys(ctx, db, database, table)
	if err != nil {
		return 0, err
	}
	var clauses []string
	locks := []string{qualified(database, table) + " WRITE"}
	for _, k := range keys {
		if orig, ok := carriedKeyName(k.Name, table, shadow); ok {
			clauses = append(clauses, "DROP FOREIGN KEY "+Quote(k.Name), keyDefinitionSQL(orig, k))
			if p := qualified(k.RefDatabase, k.RefTable) + " READ"; !slices.Contains(locks, p) {
				locks = append(locks, p)
			}
		}
	}
	if len(clauses) == 0 {
		return 0, nil
	}
	stmt := fmt.Sprintf("ALTER TABLE %s %s, ALGORITHM=INPLACE, LOCK=NONE", qualified(database, table), strings.Join(clauses, ", "))
	conn, err := db.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer Discard(conn) // session settings and, on an error, the table lock
	if _, err := conn.ExecContext(ctx, KeysOff); err != nil {
		return 0, err
	}
	if err := lockAlone(ctx, conn, strings.Join(locks, ", "), wait); err != nil {
		return 0, fmt.Errorf("lock %s.%s to name its carried foreign keys: %w", database, table, err)
	}
	if _, err := conn.ExecContext(ctx, stmt); err != nil {
		return 0, fmt.Errorf("name the foreign keys carried to %s.%s: %w", database, table, err)
	}
	return len(clauses) / 2, Unlock(ctx, conn)
}

// KeysLeftAfterSwap lists what RestoreForeignKeyNames and RestoreChildKeys
// would do: the keys of the old table (it has none once a cut-over ends),
// the carried keys of the table under temporary names, and other tables'
// keys left under temporary names.
func KeysLeftAfterSwap(ctx context.Context, q Querier, database, table, shadow, old string) ([]string, error) {
	var left []string
	oldKeys, err := ReadForeignKeys(ctx, q, database, old)
	if err != nil {
		return nil, err
	}
	for _, k := range oldKeys {
		left = append(left, old+"."+k.Name)
	}
	keys, err := ReadForeignKeys(ctx, q, database, table)
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		if _, ok := carriedKeyName(k.Name, table, shadow); ok {
			left = append(left, table+"."+k.Name)
		}
	}
	children, err := carriedChildKeys(ctx, q, database, table, shadow)
	if err != nil {
		return nil, err
	}
	for _, k := range children {
		left = append(left, ChildKeyTempName(k)+" of "+k.Database+"."+k.Table+" (referencing "+k.RefTable+")")
	}
	return left, nil
}

// RestoreKeyIndexNames undoes what adding keys under the shadow's names did
// to the shadow's indexes: the server renames an index it generated for a
// key after the key it then serves (the name CREATE TABLE ... LIKE copied
// from the table is lost). Each shadow index named shadowName(k) takes back
// the name of the table's index on k's columns that the shadow lacks.
func RestoreKeyIndexNames(ctx context.Context, q Querier, database, table, shadow string, keys []ForeignKey, shadowName func(ForeignKey) string) error {
	orig, err := indexColumns(ctx, q, database, table)
	if err != nil {
		return err
	}
	have, err := indexColumns(ctx, q, database, shadow)
	if err != nil {
		return err
	}
	var renames []string
	for _, k := range keys {
		from := shadowName(k)
		if _, ok := have[from]; !ok {
			continue
		}
		for name, cols := range orig {
			if _, taken := have[name]; !taken && cols == strings.Join(k.Columns, ",") {
				renames = append(renames, fmt.Sprintf("RENAME INDEX %s TO %s", Quote(from), Quote(name)))
				have[name] = cols
				break
			}
		}
	}
	if len(renames) == 0 {
		return nil
	}
	if _, err := q.ExecContext(ctx, fmt.Sprintf("ALTER TABLE %s %s", qualified(database, shadow), strings.Join(renames, ", "))); err != nil {
		return fmt.Errorf("give the shadow's key indexes the table's names: %w", err)
	}
	return nil
}

// indexColumns maps each index of the table to its columns, comma-joined.
func indexColumns(ctx context.Context, q Querier, database, table string) (map[string]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT INDEX_NAME, GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX SEPARATOR ',')
		FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? GROUP BY INDEX_NAME`, database, table)
	if err != nil {
		return nil, fmt.Errorf("read the indexes of %s.%s: %w", database, table, err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var name, cols string
		if err := rows.Scan(&name, &cols); err != nil {
			return nil, fmt.Errorf("read the indexes of %s.%s: %w", database, table, err)
		}
		out[name] = cols
	}
	return out, rows.Err()
}

// ChildKeyTempName is the name a child's key carries while it references
// the shadow, and until the cut-over names it again once it references
// the new table (key names are unique per database).
func ChildKeyTempName(k ChildKey) string { return k.Name + TriggerSuffix }

// ChildKeyName is k's own name.
func ChildKeyName(k ChildKey) string { return k.Name }

// ByChild groups keys by child table, in their order.
func ByChild(keys []ChildKey) [][]ChildKey {
	var out [][]ChildKey
	for _, k := range keys {
		if n := len(out); n > 0 && out[n-1][0].Database == k.Database && out[n-1][0].Table == k.Table {
			out[n-1] = append(out[n-1], k)
			continue
		}
		out = append(out, []ChildKey{k})
	}
	return out
}

// RepointChildKeysSQL re-creates keys, all of one child table, as
// references to database.ref: each is dropped under drop(k) and added under
// add(k), in one in-place ALTER of the child (metadata only, with
// foreign_key_checks off: the rows hold, the shadow being caught up).
func RepointChildKeysSQL(keys []ChildKey, database, ref string, drop, add func(ChildKey) string) string {
	var clauses []string
	for _, k := range keys {
		fk := k.ForeignKey
		fk.RefDatabase, fk.RefTable = database, ref
		clauses = append(clauses, "DROP FOREIGN KEY "+Quote(drop(k)), keyDefinitionSQL(add(k), fk))
	}
	return fmt.Sprintf("ALTER TABLE %s %s, ALGORITHM=INPLACE, LOCK=NONE", qualified(keys[0].Database, keys[0].Table), strings.Join(clauses, ", "))
}

// LockChildrenSQL write-locks the child tables of the keys (one per table).
func LockChildrenSQL(keys []ChildKey) string {
	var locks []string
	for _, g := range ByChild(keys) {
		locks = append(locks, qualified(g[0].Database, g[0].Table)+" WRITE")
	}
	return "LOCK TABLES " + strings.Join(locks, ", ")
}

// carriedChildKeys are the keys referencing database.table or its shadow
// under ChildKeyTempName: a cut-over stopped (a crash) between re-pointing
// them at the shadow and naming them again.
func carriedChildKeys(ctx context.Context, q Querier, database, table, shadow string) ([]ChildKey, error) {
	var out []ChildKey
	for _, ref := range []string{table, shadow} {
		keys, err := ReadChildKeys(ctx, q, database, ref)
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			if orig, ok := strings.CutSuffix(k.Name, TriggerSuffix); ok {
				k.Name = orig
				out = append(out, k)
			}
		}
	}
	return out, nil
}

// RestoreChildKeys makes the keys of other tables that a cut-over stopped
// by a crash left under temporary names reference database.table again,
// under their own names: before the swap they reference the shadow, which
// is behind the table; after it, the table. Idempotent; it returns how
// many keys it restored.
func RestoreChildKeys(ctx context.Context, db *sql.DB, database, table, shadow string, wait time.Duration) (int, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer Discard(conn) // session settings and, on an error, the table lock
	lock := func(g []ChildKey) error {
		return lockAlone(ctx, conn, qualified(g[0].Database, g[0].Table)+" WRITE, "+qualified(database, table)+" READ", wait)
	}
	return restoreChildKeys(ctx, conn, database, table, shadow, lock)
}

// RestoreChildKeysOn is RestoreChildKeys on conn, which holds the children
// locked, leaving foreign_key_checks off on it.
func RestoreChildKeysOn(ctx context.Context, conn *sql.Conn, database, table, shadow string) (int, error) {
	return restoreChildKeys(ctx, conn, database, table, shadow, nil)
}

// restoreChildKeys re-points the carried keys of each child, locked by lock
// first and released after when lock is not nil.
func restoreChildKeys(ctx context.Context, conn *sql.Conn, database, table, shadow string, lock func([]ChildKey) error) (int, error) {
	keys, err := carriedChildKeys(ctx, conn, database, table, shadow)
	if err != nil || len(keys) == 0 {
		return 0, err
	}
	if _, err := conn.ExecContext(ctx, KeysOff); err != nil {
		return 0, err
	}
	for _, g := range ByChild(keys) {
		if lock != nil {
			if err := lock(g); err != nil {
				return 0, fmt.Errorf("lock %s.%s to re-point its foreign keys: %w", g[0].Database, g[0].Table, err)
			}
		}
		if _, err := conn.ExecContext(ctx, RepointChildKeysSQL(g, database, table, ChildKeyTempName, ChildKeyName)); err != nil {
			return 0, fmt.Errorf("make the foreign keys of %s.%s reference %s again under their names: %w", g[0].Database, g[0].Table, table, err)
		}
		if lock != nil {
			if err := Unlock(ctx, conn); err != nil {
				return 0, err
			}
		}
	}
	return len(keys), nil
}

// lockAlone takes the table locks (LOCK TABLES locks) that changing a live
// table's foreign keys needs: the table written, the parents read (dropping
// a key waits for every writer of its parent), on conn, without waiting
// (see WithoutWaiting), within wait; then the statements under the lock may
// wait that long for what is left (the table's cached copies to close).
func lockAlone(ctx context.Context, conn *sql.Conn, locks string, wait time.Duration) error {
	err := WithoutWaiting(ctx, conn, wait, func() error { _, err := conn.ExecContext(ctx, "LOCK TABLES "+locks); return err })
	if err != nil {
		return err
	}
	return SetLockWait(ctx, conn, wait)
}

// HasIndexOn says whether an index of database.table begins with cols,
// which a key referencing them needs.
func HasIndexOn(ctx context.Context, q Querier, database, table string, cols []string) (bool, error) {
	idx, err := indexColumns(ctx, q, database, table)
	if err != nil {
		return false, err
	}
	want := strings.ToLower(strings.Join(cols, ","))
	for _, c := range idx {
		if c = strings.ToLower(c); c == want || strings.HasPrefix(c, want+",") {
			return true, nil
		}
	}
	return false, nil
}
