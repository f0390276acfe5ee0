package workload

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// maxDiffs is how many differences Check lists.
const maxDiffs = 10

// diff is one disagreement between table and model.
type diff struct {
	id  int64 // 0 for rows whose key is not a workload key
	msg string
}

// checkResult accumulates Check's findings.
type checkResult struct {
	missing, extra, stale, rows int
	diffs                       []diff
	seen                        map[int64]bool
}

func (r *checkResult) add(kind *int, id int64, format string, args ...any) {
	*kind++
	r.diffs = append(r.diffs, diff{id: id, msg: fmt.Sprintf(format, args...)})
}

// Check compares table (in db's current database or schema, or
// "schema.table") with the model: the set of keys must equal the model's
// live keys and each row's wl_ver the last acknowledged version. Keys left
// uncertain by failed commits may be in either state. db must reach the
// same engine as New's. The table may be a different one than
// Options.Table (the shadow table, or the swapped-in table) as long as it
// has the row key columns and wl_ver. Check refuses to run while the
// workload is running.
func (w *Workload) Check(ctx context.Context, db *sql.DB, table string) error {
	if w.running() {
		return fmt.Errorf("workload: Check while running; call Stop first")
	}
	def, err := w.d.currentSchema(ctx, db)
	if err != nil {
		return fmt.Errorf("workload check: %w", err)
	}
	schema, name := splitTable(table, def)
	qname := qualify(w.d, schema, name)
	render, err := w.checkColumns(ctx, db, schema, name)
	if err != nil {
		return fmt.Errorf("workload check of %s: %w", qname, err)
	}
	res := &checkResult{seen: map[int64]bool{}}
	if err := w.scanTable(ctx, db, qname, render, res); err != nil {
		return fmt.Errorf("workload check of %s: %w", qname, err)
	}
	w.findMissing(res)
	return w.report(qname, res)
}

// checkColumns returns the checked table's columns matching the row key
// columns, used to render expected key text.
func (w *Workload) checkColumns(ctx context.Context, db *sql.DB, schema, table string) ([]*column, error) {
	cols, err := w.d.columns(ctx, db, schema, table)
	if err != nil {
		return nil, err
	}
	byName := map[string]*column{}
	for _, c := range cols {
		byName[c.Name] = c
	}
	if byName[verColumn] == nil {
		return nil, fmt.Errorf("no %s column", verColumn)
	}
	var render []*column
	for _, kc := range w.plan.key.cols {
		c := byName[kc.col.Name]
		if c == nil {
			return nil, fmt.Errorf("no row key column %s", kc.col.Name)
		}
		render = append(render, c)
	}
	return render, nil
}

// reverseKeys maps the key text of every id the workload may have used
// back to the id: all of [1, KeySpace] when that is affordable, else the
// ids the model knows (a stray deleted id then shows as "not a workload key").
func (w *Workload) reverseKeys(render []*column) map[string]int64 {
	ids := append(w.model.liveIDs(), w.model.uncertainIDs()...)
	if ks := w.KeySpace(); ks <= maxReverseKeys {
		ids = ids[:0]
		for id := int64(1); id <= ks; id++ {
			ids = append(ids, id)
		}
	}
	out := make(map[string]int64, len(ids))
	for _, id := range ids {
		if t, ok := w.plan.key.text(id, render); ok {
			out[t] = id
		}
	}
	return out
}

// maxReverseKeys bounds the memory reverseKeys spends on unused ids.
const maxReverseKeys = 1 << 22

func (w *Workload) scanTable(ctx context.Context, db *sql.DB, table string, render []*column, res *checkResult) error {
	exprs := make([]string, len(render))
	for i, c := range render {
		exprs[i] = w.d.keyExpr(c)
	}
	q := fmt.Sprintf("SELECT %s, %s FROM %s", strings.Join(exprs, ", "), w.d.quote(verColumn), table)
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("reading rows: %w", err)
	}
	defer rows.Close()
	keys := w.reverseKeys(render)
	parts := make([]sql.NullString, len(render))
	dest := make([]any, len(render)+1)
	for i := range parts {
		dest[i] = &parts[i]
	}
	var ver sql.NullInt64
	dest[len(render)] = &ver
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("scanning rows: %w", err)
		}
		w.checkRow(res, keys, joinKey(parts), ver)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reading rows: %w", err)
	}
	return nil
}

func joinKey(parts []sql.NullString) string {
	s := make([]string, len(parts))
	for i, p := range parts {
		s[i] = p.String
		if !p.Valid {
			s[i] = "\x01NULL"
		}
	}
	return strings.Join(s, "\x00")
}

// checkRow compares one table row with the model.
func (w *Workload) checkRow(res *checkResult, keys map[string]int64, key string, ver sql.NullInt64) {
	res.rows++
	id, ok := keys[key]
	switch {
	case !ok:
		res.add(&res.extra, 0, "extra row with key (%s), not a workload key, wl_ver %s",
			strings.ReplaceAll(key, "\x00", ", "), showVer(ver))
		return
	case res.seen[id]:
		res.add(&res.extra, id, "id %d: duplicate row, wl_ver %s", id, showVer(ver))
		return
	}
	res.seen[id] = true
	states, _ := w.model.accepted(id)
	var want []string
	for _, s := range states {
		if s.present && ver.Valid && s.ver == ver.Int64 {
			return
		}
		if s.present {
			want = append(want, fmt.Sprint(s.ver))
		}
	}
	if len(want) == 0 {
		res.add(&res.extra, id, "id %d: extra row (deleted or never acknowledged), wl_ver %s", id, showVer(ver))
		return
	}
	res.add(&res.stale, id, "id %d: stale row, wl_ver %s, want %s", id, showVer(ver), strings.Join(want, " or "))
}

func showVer(v sql.NullInt64) string {
	if !v.Valid {
		return "NULL"
	}
	return fmt.Sprint(v.Int64)
}

// findMissing reports ids the model requires that the table lacks.
func (w *Workload) findMissing(res *checkResult) {
	ids := append(w.model.liveIDs(), w.model.uncertainIDs()...)
	for _, id := range ids {
		if res.seen[id] {
			continue
		}
		states, _ := w.model.accepted(id)
		absentOK := false
		var want []string
		for _, s := range states {
			absentOK = absentOK || !s.present
			want = append(want, fmt.Sprint(s.ver))
		}
		if !absentOK {
			res.add(&res.missing, id, "id %d: missing row, want wl_ver %s", id, strings.Join(want, " or "))
		}
	}
}

// report turns the findings into nil or an error listing the first
// differences in id order.
func (w *Workload) report(table string, res *checkResult) error {
	if len(res.diffs) == 0 {
		return nil
	}
	sort.SliceStable(res.diffs, func(i, j int) bool {
		a, b := res.diffs[i].id, res.diffs[j].id
		return (a != 0 && b == 0) || (a != 0 && a < b)
	})
	live, uncertain := w.model.counts()
	var b strings.Builder
	fmt.Fprintf(&b, "workload check of %s (seed %d): %d missing, %d extra, %d stale rows "+
		"(%d rows read, %d live keys in model, %d uncertain keys accepted in either state); first differences:",
		table, w.opts.Seed, res.missing, res.extra, res.stale, res.rows, live, uncertain)
	for _, d := range res.diffs[:min(len(res.diffs), maxDiffs)] {
		b.WriteString("\n  " + d.msg)
	}
	return errors.New(b.String())
}
