package workload

import (
	"context"
	"fmt"
	"strings"
)

// Multi-row INSERTs of Load: ~500 rows, fewer if that would exceed the
// placeholder limit (65535 on both MySQL and PostgreSQL) or a few MB of data.
const (
	loadRows         = 500
	loadPlaceholders = 60000
	loadBytes        = 4 << 20
)

// Load inserts ids 1..rows (consecutive ids, so every partition gets its
// share) with multi-row INSERTs and records them in the model. It must be
// called before Start, on a table and model without rows. It resolves the
// default KeySpace to 2*rows+1000.
func (w *Workload) Load(ctx context.Context, rows int) error {
	if w.running() {
		return fmt.Errorf("workload: Load while running")
	}
	if live, _ := w.model.counts(); live > 0 {
		return fmt.Errorf("workload: Load on a model that already has %d rows", live)
	}
	w.mu.Lock()
	w.resolveKeySpace(int64(rows))
	keySpace := w.keySpace
	w.mu.Unlock()
	if int64(rows) > keySpace {
		return fmt.Errorf("workload: Load of %d rows exceeds KeySpace %d", rows, keySpace)
	}
	g := newGen(w.opts.Seed, 1<<62, 0)
	perStmt := max(1, min(loadRows, loadPlaceholders/len(w.plan.writeCols)))
	b := &loadBatch{w: w}
	for id := int64(1); id <= int64(rows); id++ {
		ver := w.nextVer()
		b.add(id, ver, w.plan.rowValues(g, id, ver, false))
		if len(b.ids) >= perStmt || b.bytes >= loadBytes {
			if err := b.flush(ctx); err != nil {
				return err
			}
		}
	}
	return b.flush(ctx)
}

// loadBatch accumulates the rows of one multi-row INSERT.
type loadBatch struct {
	w     *Workload
	ids   []int64
	vers  []int64
	args  []any
	bytes int
}

func (b *loadBatch) add(id, ver int64, vals []any) {
	b.ids, b.vers = append(b.ids, id), append(b.vers, ver)
	b.args = append(b.args, vals...)
	for _, v := range vals {
		b.bytes += approxSize(v)
	}
}

func (b *loadBatch) flush(ctx context.Context) error {
	if len(b.ids) == 0 {
		return nil
	}
	p := b.w.plan
	rows := make([]string, len(b.ids))
	for i := range rows {
		rows[i] = "(" + params(p.d, 1+i*len(p.writeCols), len(p.writeCols)) + ")"
	}
	q := p.insertHead + strings.Join(rows, ",")
	if _, err := b.w.db.ExecContext(ctx, q, b.args...); err != nil {
		return fmt.Errorf("workload: loading ids %d..%d into %s: %w", b.ids[0], b.ids[len(b.ids)-1], p.table, err)
	}
	for i, id := range b.ids {
		b.w.model.partitionOf(id).set(id, state{present: true, ver: b.vers[i]})
	}
	b.ids, b.vers, b.args, b.bytes = b.ids[:0], b.vers[:0], b.args[:0], 0
	return nil
}

func approxSize(v any) int {
	switch v := v.(type) {
	case string:
		return len(v)
	case []byte:
		return len(v)
	}
	return 8
}
