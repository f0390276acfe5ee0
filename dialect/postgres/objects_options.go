package postgres

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
)

// carryOptionsQuery reads the storage parameters of both tables (their TOAST
// tables' as toast.*) and the options of the columns both have (n_distinct,
// ...), one row per option, the value quoted by the server.
const carryOptionsQuery = `SELECT r.col, r.is_orig, r.prefix || split_part(o, '=', 1), quote_literal(substr(o, strpos(o, '=') + 1))
	FROM (
		SELECT ''::text AS col, c.oid = $1 AS is_orig, ''::text AS prefix, c.reloptions AS opts
		FROM pg_class c WHERE c.oid IN ($1, $2)
		UNION ALL
		SELECT '', c.oid = $1, 'toast.', t.reloptions
		FROM pg_class c JOIN pg_class t ON t.oid = c.reltoastrelid WHERE c.oid IN ($1, $2)
		UNION ALL
		SELECT a.attname::text, a.attrelid = $1, '', a.attoptions
		FROM pg_attribute a
		WHERE a.attrelid IN ($1, $2) AND a.attnum > 0 AND NOT a.attisdropped
			AND a.attname IN (SELECT attname FROM pg_attribute WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped)
			AND a.attname IN (SELECT attname FROM pg_attribute WHERE attrelid = $2 AND attnum > 0 AND NOT attisdropped)
	) r, unnest(r.opts) o`

// optionSides maps option names to quoted values, for one object.
type optionSides struct{ orig, shadow map[string]string }

// carryOptions sets the table's options that the shadow lacks or holds with
// another value, and resets the ones only the shadow has (autovacuum turned
// off for the copy, say), for the table and each column.
func carryOptions(ctx context.Context, db Querier, p carryPair) ([]string, error) {
	opts, err := readCarryOptions(ctx, db, p)
	if err != nil {
		return nil, err
	}
	var stmts []string
	for _, col := range slices.Sorted(maps.Keys(opts)) {
		alter := "ALTER TABLE " + p.target
		if col != "" {
			alter += " ALTER COLUMN " + pgx.Identifier{col}.Sanitize()
		}
		set, reset := optionChanges(opts[col], func(name string) bool { return p.except[optionKey(col, name)] })
		if len(set) > 0 {
			stmts = append(stmts, alter+" SET ("+strings.Join(set, ", ")+")")
		}
		if len(reset) > 0 {
			stmts = append(stmts, alter+" RESET ("+strings.Join(reset, ", ")+")")
		}
	}
	return stmts, nil
}

func readCarryOptions(ctx context.Context, db Querier, p carryPair) (map[string]*optionSides, error) {
	rows, err := db.QueryContext(ctx, carryOptionsQuery, p.orig, p.shadow)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	opts := map[string]*optionSides{}
	for rows.Next() {
		var col, name, value string
		var isOrig bool
		if err := rows.Scan(&col, &isOrig, &name, &value); err != nil {
			return nil, err
		}
		s := opts[col]
		if s == nil {
			s = &optionSides{orig: map[string]string{}, shadow: map[string]string{}}
			opts[col] = s
		}
		if !userOption(col, name) {
			continue // set by the server itself (15.20's pg_attver, say): never carried
		}
		if isOrig {
			s.orig[name] = value
		} else {
			s.shadow[name] = value
		}
	}
	return opts, rows.Err()
}

// userOption says whether a storage parameter (col "") or a column option is
// one a user sets with ALTER TABLE, the only ones carried over: a server may
// keep options of its own in the same catalog arrays (PostgreSQL 15.20 puts
// pg_attver on every column), different for every table, which must never be
// copied from one table to another.
func userOption(col, name string) bool {
	if col != "" {
		return name == "n_distinct" || name == "n_distinct_inherited"
	}
	name, toast := strings.CutPrefix(name, "toast.")
	switch {
	case strings.HasPrefix(name, "autovacuum_"), name == "log_autovacuum_min_duration",
		name == "vacuum_index_cleanup", name == "vacuum_truncate":
		return true
	case toast:
		return false
	}
	switch name {
	case "fillfactor", "toast_tuple_target", "parallel_workers", "user_catalog_table":
		return true
	}
	return false
}

// optionChanges returns "name = value" items to set and names to reset,
// sorted, leaving out the options skip names. Option names come from the
// catalog, where they are plain words.
func optionChanges(s *optionSides, skip func(name string) bool) (set, reset []string) {
	for _, name := range slices.Sorted(maps.Keys(s.orig)) {
		if v, ok := s.shadow[name]; (!ok || v != s.orig[name]) && !skip(name) {
			set = append(set, name+" = "+s.orig[name])
		}
	}
	for _, name := range slices.Sorted(maps.Keys(s.shadow)) {
		if _, ok := s.orig[name]; !ok && !skip(name) {
			reset = append(reset, name)
		}
	}
	return set, reset
}
