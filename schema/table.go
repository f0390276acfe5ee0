// Package schema models tables (columns, keys) and analyses ALTER statements:
// which columns are renamed or dropped, and which source column feeds which
// shadow column. It holds no SQL for any engine.
package schema

import "strings"

// Column is one column of a table as the server reports it.
type Column struct {
	Name      string
	DataType  string // lower-case base type, e.g. "int", "varchar", "json"
	FullType  string // the full column type, e.g. "int(10) unsigned"
	Collation string // "" for a type without one
	Nullable  bool
	Unsigned  bool
	Generated bool // virtual or stored generated column: never written to
	Ordinal   int  // 1-based position, the order of values in row events
}

// Index is a unique index (or the primary key) with its column names in order.
type Index struct {
	Name    string
	Columns []string
	Primary bool
}

// Table is a table's name and the parts of its definition the engine needs.
type Table struct {
	Schema  string
	Name    string
	Columns []Column
	Uniques []Index // primary key first, when there is one
}

// Column returns the named column (case-insensitive) and whether it exists.
func (t *Table) Column(name string) (Column, bool) {
	for _, c := range t.Columns {
		if strings.EqualFold(c.Name, name) {
			return c, true
		}
	}
	return Column{}, false
}

// Index returns the named unique index (case-insensitive).
func (t *Table) Index(name string) (Index, bool) {
	for _, ix := range t.Uniques {
		if strings.EqualFold(ix.Name, name) {
			return ix, true
		}
	}
	return Index{}, false
}

// KeyCandidates lists the unique indexes usable as a row key: the primary key,
// then unique indexes whose columns are all NOT NULL and not generated.
func (t *Table) KeyCandidates() []Index {
	var out []Index
	for _, ix := range t.Uniques {
		if ix.Primary || t.allNotNull(ix.Columns) {
			out = append(out, ix)
		}
	}
	return out
}

func (t *Table) allNotNull(cols []string) bool {
	for _, name := range cols {
		c, ok := t.Column(name)
		if !ok || c.Nullable || c.Generated {
			return false
		}
	}
	return true
}
