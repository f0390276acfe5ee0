package workload

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
)

// index is one index of the table; only UNIQUE ones matter to the workload.
type index struct {
	Name     string
	Primary  bool
	Unique   bool
	Cols     []string
	SubParts []int64 // prefix length per column, 0 = whole column
}

type indexPart struct {
	seq     int64
	col     string
	subPart int64
}

// loadIndexes reads the table's indexes in the order the server lists them.
// MariaDB lists PRIMARY first, then UNIQUE indexes, in the order InnoDB uses
// to pick an implicit clustered key, which is what "first" should mean.
func loadIndexes(ctx context.Context, db *sql.DB, schema, table string) ([]index, error) {
	rows, err := db.QueryContext(ctx, `SELECT INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME, SUB_PART
 FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?`, schema, table)
	if err != nil {
		return nil, fmt.Errorf("querying indexes of %s: %w", qualified(schema, table), err)
	}
	defer rows.Close()
	var order []string
	parts := map[string][]indexPart{}
	unique := map[string]bool{}
	for rows.Next() {
		var (
			name      string
			nonUnique int64
			p         indexPart
			col       sql.NullString // NULL for MySQL functional key parts
			sub       sql.NullInt64
		)
		if err := rows.Scan(&name, &nonUnique, &p.seq, &col, &sub); err != nil {
			return nil, fmt.Errorf("scanning indexes of %s: %w", qualified(schema, table), err)
		}
		if _, seen := parts[name]; !seen {
			order = append(order, name)
		}
		p.col, p.subPart = col.String, sub.Int64
		parts[name] = append(parts[name], p)
		unique[name] = nonUnique == 0
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading indexes of %s: %w", qualified(schema, table), err)
	}
	return buildIndexes(order, parts, unique, "PRIMARY"), nil
}

// buildIndexes assembles indexes in order, skipping functional ones (a
// part without a column); primary names the primary key.
func buildIndexes(order []string, parts map[string][]indexPart, unique map[string]bool, primary string) []index {
	var out []index
	for _, name := range order {
		ps := parts[name]
		sort.Slice(ps, func(i, j int) bool { return ps[i].seq < ps[j].seq })
		ix := index{Name: name, Primary: name == primary, Unique: unique[name]}
		functional := false
		for _, p := range ps {
			functional = functional || p.col == ""
			ix.Cols = append(ix.Cols, p.col)
			ix.SubParts = append(ix.SubParts, p.subPart)
		}
		if !functional {
			out = append(out, ix)
		}
	}
	return out
}

// pickRowKey returns the PRIMARY KEY, or else the first UNIQUE index whose
// columns are all NOT NULL: the key InnoDB clusters by and the key the
// workload addresses rows with.
func pickRowKey(indexes []index, byName map[string]*column) (index, error) {
	for _, ix := range indexes {
		if ix.Primary {
			return ix, nil
		}
	}
	for _, ix := range indexes {
		if ix.Unique && allNotNull(ix, byName) {
			return ix, nil
		}
	}
	return index{}, fmt.Errorf("table has no PRIMARY KEY and no UNIQUE index on NOT NULL columns")
}

func allNotNull(ix index, byName map[string]*column) bool {
	for _, name := range ix.Cols {
		c := byName[name]
		if c == nil || c.Nullable {
			return false
		}
	}
	return true
}
