package workload

import (
	"fmt"
)

// insert adds a row at a free id of the worker's partition.
func (t *txn) insert() error {
	id, ok := t.freeID()
	if !ok {
		if _, live := t.liveID(); live {
			return t.update()
		}
		return errSkip
	}
	p, ver := t.wk.w.plan, t.wk.w.nextVer()
	if err := t.exec(opInsert, id, p.insertSQL, p.rowValues(t.wk.g, id, ver, true)); err != nil {
		return err
	}
	t.apply(id, state{present: true, ver: ver})
	t.counts.Inserts++
	return nil
}

// update sets 1-3 random non-key columns (and wl_ver) of a live row.
func (t *txn) update() error {
	id, ok := t.liveID()
	if !ok {
		return t.insert()
	}
	p, g, ver := t.wk.w.plan, t.wk.g, t.wk.w.nextVer()
	cols := t.randomColumns(1 + g.r.IntN(3))
	var args []any
	for _, c := range cols {
		args = append(args, g.value(c, true))
	}
	cols = append(cols, p.verCol)
	args = append(append(args, ver), mustKey(p, id)...)
	q := updateSQL(p, cols)
	if err := t.exec(opUpdate, id, q, args); err != nil {
		return err
	}
	t.apply(id, state{present: true, ver: ver})
	t.counts.Updates++
	return nil
}

// keyChange moves a live row to a free id of the same partition, also
// re-deriving its other UNIQUE columns from the new id.
func (t *txn) keyChange() error {
	from, ok := t.liveID()
	if !ok {
		return t.insert()
	}
	to, ok := t.freeID()
	if !ok {
		return t.update()
	}
	p, g, ver := t.wk.w.plan, t.wk.g, t.wk.w.nextVer()
	var cols []*column
	var args []any
	for _, c := range p.writeCols {
		_, derived := p.derived[c.Name]
		if k := p.key.position(c); k >= 0 || derived || c == p.verCol {
			cols = append(cols, c)
			args = append(args, t.keyChangeValue(c, k, to, ver))
		}
	}
	for _, c := range t.randomColumns(g.r.IntN(2)) {
		cols, args = append(cols, c), append(args, g.value(c, true))
	}
	args = append(args, mustKey(p, from)...)
	q := updateSQL(p, cols)
	if err := t.exec(opUpdateKey, from, q, args); err != nil {
		return err
	}
	t.apply(from, state{})
	t.apply(to, state{present: true, ver: ver})
	t.counts.KeyChanges++
	return nil
}

func (t *txn) keyChangeValue(c *column, keyPos int, to, ver int64) any {
	if keyPos >= 0 {
		return mustKey(t.wk.w.plan, to)[keyPos]
	}
	return t.wk.w.plan.columnValue(t.wk.g, c, to, ver, false)
}

// updateSQL sets cols of the row whose key follows them in the arguments.
func updateSQL(p *plan, cols []*column) string {
	return fmt.Sprintf("UPDATE %s SET %s WHERE %s", p.table, assignments(p.d, cols, 1),
		p.key.whereClause(p.d, len(cols)+1))
}

// delete removes a live row.
func (t *txn) delete() error {
	id, ok := t.liveID()
	if !ok {
		return t.insert()
	}
	p := t.wk.w.plan
	if err := t.exec(opDelete, id, p.deleteSQL, mustKey(p, id)); err != nil {
		return err
	}
	t.apply(id, state{})
	t.counts.Deletes++
	return nil
}

// randomColumns picks up to n distinct columns of plan.randomCols.
func (t *txn) randomColumns(n int) []*column {
	all := t.wk.w.plan.randomCols
	n = min(n, len(all))
	out := make([]*column, 0, n+1)
	for _, i := range t.wk.g.r.Perm(len(all))[:n] {
		out = append(out, all[i])
	}
	return out
}

// mustKey returns the key values of id; ids never exceed key.maxID().
func mustKey(p *plan, id int64) []any {
	vals, ok := p.key.params(id)
	if !ok {
		panic(fmt.Sprintf("workload: id %d not representable by row key %s", id, p.key.index))
	}
	return vals
}
