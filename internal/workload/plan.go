package workload

import "fmt"

// verColumn is the column every insert and update stamps with a fresh
// version, so Check can tell the last acknowledged write of each row.
const verColumn = "wl_ver"

// plan is the table-specific part of the workload: which columns are
// written, how ids map to key values, and the fixed SQL texts.
type plan struct {
	d          dialect
	table      string // quoted schema.table
	key        keySpec
	verCol     *column
	derived    map[string]keyCol // other UNIQUE columns, derived from the id
	writeCols  []*column         // every column an INSERT names, table order
	randomCols []*column         // columns updated with random values
	insertHead string            // "INSERT INTO t (cols) VALUES ", for Load's multi-row INSERTs
	insertSQL  string
	deleteSQL  string
	// fixedKey: the row key has a GENERATED ALWAYS identity column, which
	// UPDATE can only set to DEFAULT, so rows never change their key.
	fixedKey bool
}

func newPlan(d dialect, schema, table string, cols []*column, indexes []index) (*plan, error) {
	byName := map[string]*column{}
	for _, c := range cols {
		byName[c.Name] = c
	}
	if err := checkVerColumn(byName[verColumn]); err != nil {
		return nil, err
	}
	rowKey, err := pickRowKey(indexes, byName)
	if err != nil {
		return nil, err
	}
	p := &plan{d: d, table: qualify(d, schema, table), key: newKeySpec(rowKey, byName), verCol: byName[verColumn]}
	if err := p.checkKey(); err != nil {
		return nil, err
	}
	p.fixedKey = freezeIdentity(cols, p.key)
	p.derived = derivedColumns(indexes, rowKey, byName)
	p.splitColumns(cols)
	p.insertHead = fmt.Sprintf("INSERT INTO %s (%s)%s VALUES ", p.table,
		nameList(d, p.writeCols), overriding(p.writeCols))
	p.insertSQL = p.insertHead + "(" + params(d, 1, len(p.writeCols)) + ")"
	p.deleteSQL = fmt.Sprintf("DELETE FROM %s WHERE %s", p.table, p.key.whereClause(d, 1))
	return p, nil
}

// freezeIdentity marks GENERATED ALWAYS identity columns (PostgreSQL)
// outside the row key as generated: UPDATE can only set them to DEFAULT,
// so the workload leaves them to the server. It reports whether the row
// key has one; such keys are written with OVERRIDING SYSTEM VALUE.
func freezeIdentity(cols []*column, key keySpec) (inKey bool) {
	for _, c := range cols {
		if c.IdentityAlways && key.position(c) < 0 {
			c.Generated = true
		}
		inKey = inKey || (c.IdentityAlways && key.position(c) >= 0)
	}
	return inKey
}

// overriding is the INSERT clause that lets explicit values into a
// GENERATED ALWAYS identity column.
func overriding(cols []*column) string {
	for _, c := range cols {
		if c.IdentityAlways {
			return " OVERRIDING SYSTEM VALUE"
		}
	}
	return ""
}

func checkVerColumn(c *column) error {
	switch {
	case c == nil:
		return fmt.Errorf("table has no %s column", verColumn)
	case c.Class != clsInt || c.DataType != "bigint" || c.Generated:
		return fmt.Errorf("column %s must be a plain BIGINT, is %s", verColumn, c.ColumnType)
	}
	return nil
}

func (p *plan) checkKey() error {
	for _, kc := range p.key.cols {
		if kc.col.Generated {
			return fmt.Errorf("row key %s uses generated column %s", p.key.index, kc.col.Name)
		}
	}
	if p.key.maxID() < 1 {
		return fmt.Errorf("row key %s: cannot map ids to its column types", p.key.index)
	}
	return nil
}

// derivedColumns picks, for every UNIQUE index other than the row key, the
// columns whose values are derived from the id (as if the index were the
// row key), so that inserts do not collide with other live rows.
func derivedColumns(indexes []index, rowKey index, byName map[string]*column) map[string]keyCol {
	inRowKey := map[string]bool{}
	for _, name := range rowKey.Cols {
		inRowKey[name] = true
	}
	out := map[string]keyCol{}
	for _, ix := range indexes {
		if !ix.Unique || ix.Name == rowKey.Name {
			continue
		}
		for _, kc := range newKeySpec(ix, byName).cols {
			_, done := out[kc.col.Name]
			if !done && !inRowKey[kc.col.Name] && kc.col.Name != verColumn && !kc.col.Generated {
				out[kc.col.Name] = kc
			}
		}
	}
	return out
}

// splitColumns decides which columns are written. Generated columns cannot
// be, and columns of unsupported types are left to their defaults.
func (p *plan) splitColumns(cols []*column) {
	inKey := map[string]bool{}
	for _, kc := range p.key.cols {
		inKey[kc.col.Name] = true
	}
	for _, c := range cols {
		if c.Generated || (c.Class == clsUnsupported && !inKey[c.Name]) {
			continue
		}
		p.writeCols = append(p.writeCols, c)
		_, derived := p.derived[c.Name]
		if !inKey[c.Name] && !derived && c.Name != verColumn {
			p.randomCols = append(p.randomCols, c)
		}
	}
}

// rowValues returns the INSERT arguments for id, in writeCols order.
func (p *plan) rowValues(g *gen, id, ver int64, allowBig bool) []any {
	keyVals, _ := p.key.params(id) // ids are always <= key.maxID()
	vals := make([]any, len(p.writeCols))
	for i, c := range p.writeCols {
		if k := p.key.position(c); k >= 0 {
			vals[i] = keyVals[k]
		} else {
			vals[i] = p.columnValue(g, c, id, ver, allowBig)
		}
	}
	return vals
}

// columnValue is the value of a non-row-key column for a write of id.
func (p *plan) columnValue(g *gen, c *column, id, ver int64, allowBig bool) any {
	if c.Name == verColumn {
		return ver
	}
	if kc, ok := p.derived[c.Name]; ok {
		if v, ok := keyParam(c, kc.maxLen, kc.part(id)); ok {
			return v
		}
	}
	return g.value(c, allowBig)
}
