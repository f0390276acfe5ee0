package mysql

import (
	"context"
	"database/sql"
	"fmt"
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
	rows, err := q.QueryContext(ctx, `SELECT r.CONSTRAINT_NAME, r.UNIQUE_CONSTRAINT_SCHEMA, r.REFERENCED_TABLE_NAME, r.DELETE_RULE, r.UPDATE_RULE,
			k.COLUMN_NAME, k.REFERENCED_COLUMN_NAME
		FROM information_schema.REFERENTIAL_CONSTRAINTS r
		JOIN information_schema.KEY_COLUMN_USAGE k ON k.CONSTRAINT_SCHEMA = r.CONSTRAINT_SCHEMA
			AND k.CONSTRAINT_NAME = r.CONSTRAINT_NAME AND k.TABLE_NAME = r.TABLE_NAME
		WHERE r.CONSTRAINT_SCHEMA = ? AND r.TABLE_NAME = ?
		ORDER BY r.CONSTRAINT_NAME, k.ORDINAL_POSITION`, database, table)
	if err != nil {
		return nil, fmt.Errorf("read the foreign keys of %s.%s: %w", database, table, err)
	}
	defer rows.Close()
	var out []ForeignKey
	for rows.Next() {
		var k ForeignKey
		var col, ref string
		if err := rows.Scan(&k.Name, &k.RefDatabase, &k.RefTable, &k.OnDelete, &k.OnUpdate, &col, &ref); err != nil {
			return nil, fmt.Errorf("read the foreign keys of %s.%s: %w", database, table, err)
		}
		if n := len(out); n > 0 && out[n-1].Name == k.Name {
			out[n-1].Columns = append(out[n-1].Columns, col)
			out[n-1].RefColumns = append(out[n-1].RefColumns, ref)
			continue
		}
		k.Columns, k.RefColumns = []string{col}, []string{ref}
		out = append(out, k)
	}
	return out, rows.Err()
}

// ReferencingKeys lists the foreign keys of other tables (and of the table
// itself) that reference database.table, as "child.key".
func ReferencingKeys(ctx context.Context, q Querier, database, table string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT CONSTRAINT_SCHEMA, TABLE_NAME, CONSTRAINT_NAME
		FROM information_schema.REFERENTIAL_CONSTRAINTS
		WHERE UNIQUE_CONSTRAINT_SCHEMA = ? AND REFERENCED_TABLE_NAME = ?
		ORDER BY 1, 2, 3`, database, table)
	if err != nil {
		return nil, fmt.Errorf("read the foreign keys referencing %s.%s: %w", database, table, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var db, child, name string
		if err := rows.Scan(&db, &child, &name); err != nil {
			return nil, fmt.Errorf("read the foreign keys referencing %s.%s: %w", database, table, err)
		}
		if db != database {
			child = db + "." + child
		}
		out = append(out, child+"."+name)
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
	for _, k := range keys {
		if orig, ok := carriedKeyName(k.Name, table, shadow); ok {
			clauses = append(clauses, "DROP FOREIGN KEY "+Quote(k.Name), keyDefinitionSQL(orig, k))
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
	defer Discard(conn)
	if err := SetLockWait(ctx, conn, wait); err != nil {
		return 0, err
	}
	if _, err := conn.ExecContext(ctx, KeysOff); err != nil {
		return 0, err
	}
	if _, err := conn.ExecContext(ctx, stmt); err != nil {
		return 0, fmt.Errorf("name the foreign keys carried to %s.%s: %w", database, table, err)
	}
	return len(clauses) / 2, nil
}

// KeysLeftAfterSwap lists what RestoreForeignKeyNames would do: the keys of
// the old table (a kept old table, not a sentry, has none once a cut-over
// ends) and the carried keys of the table under temporary names.
func KeysLeftAfterSwap(ctx context.Context, q Querier, database, table, shadow, old string) ([]string, error) {
	var left []string
	if sentry, err := IsSentry(ctx, q, database, old); err != nil || sentry {
		return nil, err
	}
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
