package postgres

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// rowsIdent quotes one identifier.
func rowsIdent(name string) string { return pgx.Identifier{name}.Sanitize() }

// rowsCol is alias.column, or the bare column when alias is "".
func rowsCol(alias, name string) string {
	if alias == "" {
		return rowsIdent(name)
	}
	return alias + "." + rowsIdent(name)
}

// rowsArgs collects statement parameters and hands out their $n.
type rowsArgs struct{ vals []any }

// add appends v and returns its placeholder, cast to typ when it is known:
// a key value may be a Go value from a scan (int64, time.Time, ...) or
// PostgreSQL's own text from the stream, and with the cast the server parses
// both as the key column's type (pgx sends Go strings in text format).
func (a *rowsArgs) add(v any, typ string) string {
	a.vals = append(a.vals, v)
	p := "$" + strconv.Itoa(len(a.vals))
	if typ != "" {
		p += "::" + typ
	}
	return p
}

// rowsKey is one table's row key: its columns and their types, in key order.
type rowsKey struct {
	cols  []string
	types []string // format_type() text; "" when unknown (no cast)
}

// tuple is the key as an SQL value: "a.k" or the row "(a.k1, a.k2)".
func (k rowsKey) tuple(alias string) string {
	out := make([]string, len(k.cols))
	for i, c := range k.cols {
		out[i] = rowsCol(alias, c)
	}
	if len(out) == 1 {
		return out[0]
	}
	return "(" + strings.Join(out, ", ") + ")"
}

// params adds one key's values and returns them in tuple's shape.
func (k rowsKey) params(a *rowsArgs, key []any) string {
	out := make([]string, len(k.cols))
	for i := range k.cols {
		out[i] = a.add(key[i], k.types[i])
	}
	if len(out) == 1 {
		return out[0]
	}
	return "(" + strings.Join(out, ", ") + ")"
}

// between is "lo < key <= hi" as row comparisons, which a btree on the key
// columns serves as one index range; a nil bound is open.
func (k rowsKey) between(alias string, a *rowsArgs, lo, hi []any) string {
	conds := []string{"TRUE"}
	if lo != nil {
		conds = append(conds, k.tuple(alias)+" > "+k.params(a, lo))
	}
	if hi != nil {
		conds = append(conds, k.tuple(alias)+" <= "+k.params(a, hi))
	}
	return strings.Join(conds, " AND ")
}

// in is "key IN (k1, k2, ...)".
func (k rowsKey) in(alias string, a *rowsArgs, keys [][]any) string {
	vals := make([]string, len(keys))
	for i, key := range keys {
		vals[i] = k.params(a, key)
	}
	return k.tuple(alias) + " IN (" + strings.Join(vals, ", ") + ")"
}

// orderBy lists the key columns for ORDER BY.
func (k rowsKey) orderBy(alias string) string {
	out := make([]string, len(k.cols))
	for i, c := range k.cols {
		out[i] = rowsCol(alias, c)
	}
	return strings.Join(out, ", ")
}

// selectList reads the key columns in the shape the change stream gives
// keys: integers, booleans and bytea as such (int64, bool, []byte), any other
// type as PostgreSQL's text. Keys from the copy, the checksum and the stream
// then compare equal in the applier's key set, and text goes back through the
// parameter cast exactly (no time zone or precision lost in a Go value).
func (k rowsKey) selectList(alias string) string {
	out := make([]string, len(k.cols))
	for i, c := range k.cols {
		out[i] = rowsCol(alias, c)
		if !rowsNativeKeyType(k.types[i]) {
			out[i] += "::text"
		}
	}
	return strings.Join(out, ", ")
}

func rowsNativeKeyType(typ string) bool {
	return typ == "" || typ == "boolean" || typ == "bytea" || rowsIsInteger(typ)
}

func rowsIsInteger(typ string) bool {
	return typ == "smallint" || typ == "integer" || typ == "bigint"
}

// join is "this key = other key", column by column, other's column cast to
// this side's type when the types differ, so the comparison is the one of
// this side's index (probe this side's table with it). Integer types need no
// cast: their cross-type "=" uses the index, and a cast could overflow.
func (k rowsKey) join(alias string, other rowsKey, otherAlias string) string {
	on := make([]string, len(k.cols))
	for i, c := range k.cols {
		o := rowsCol(otherAlias, other.cols[i])
		if t := k.types[i]; t != "" && other.types[i] != t && !(rowsIsInteger(t) && rowsIsInteger(other.types[i])) {
			o += "::" + t
		}
		on[i] = rowsCol(alias, c) + " = " + o
	}
	return strings.Join(on, " AND ")
}

// rowsProbe is a LEFT JOIN LATERAL that looks up, for each outer row, the
// row of table (aliased alias) with the same key. LIMIT 1 keeps the lookup
// a per-row probe of table's key index: a plain join or NOT EXISTS may be
// planned as a hash join that reads all of table for every chunk.
func rowsProbe(table, alias, cols, on string) string {
	return fmt.Sprintf("LEFT JOIN LATERAL (SELECT %s FROM %s %s WHERE %s LIMIT 1) %s ON TRUE",
		cols, table, alias, on, alias)
}
