package postgres

import (
	"context"
	"fmt"
	"slices"
	"sync"
)

// rowsUnique is one unique index of the shadow.
type rowsUnique struct {
	name  string
	cols  []string // key columns in order; nil when one is an expression
	isKey bool     // on the row key's columns, maybe with more after them
}

// rowsUniqueCache holds the shadow's unique indexes, read once: the shadow's
// indexes do not change while rows move into it.
type rowsUniqueCache struct {
	mu     sync.Mutex
	loaded bool
	list   []rowsUnique
}

// shadowUniques lists the shadow's unique indexes (constraints included: each
// has one). The row key must lead one of them: ON CONFLICT DO NOTHING in the
// copy relies on it to skip rows the applier wrote first. An index with more
// columns after the key's counts as the key's (isKey): it can only clash
// between two rows of the same key, and the resync deletes every shadow row
// of a key before it inserts, so a clash there is a copy chunk racing the
// resync (retry), never a stale row holding another key's value.
func (r *Rows) shadowUniques(ctx context.Context) ([]rowsUnique, error) {
	c := &r.uniques
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.loaded {
		return c.list, nil
	}
	list, err := r.readUniques(ctx)
	if err != nil {
		return nil, fmt.Errorf("read unique indexes of %s: %w", r.Shadow, err)
	}
	if !slices.ContainsFunc(list, func(u rowsUnique) bool { return u.isKey }) {
		return nil, fmt.Errorf("shadow table %s.%s has no unique index on the row key (%v)", r.Schema, r.Shadow, r.dstKey().cols)
	}
	c.list, c.loaded = list, true
	return list, nil
}

// otherUniques are the shadow's unique indexes besides the row key's: where
// a copied or resynced row can clash with a stale shadow row.
func (r *Rows) otherUniques(ctx context.Context) ([]rowsUnique, error) {
	all, err := r.shadowUniques(ctx)
	if err != nil {
		return nil, err
	}
	var out []rowsUnique
	for _, u := range all {
		if !u.isKey {
			out = append(out, u)
		}
	}
	return out, nil
}

func (r *Rows) readUniques(ctx context.Context) ([]rowsUnique, error) {
	rows, err := r.DB.QueryContext(ctx, `SELECT ic.relname::text, coalesce(a.attname::text, '')
		FROM pg_index i
		JOIN pg_class c ON c.oid = i.indrelid
		JOIN pg_namespace ns ON ns.oid = c.relnamespace
		JOIN pg_class ic ON ic.oid = i.indexrelid
		CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
		LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum AND k.attnum > 0
		WHERE ns.nspname = $1 AND c.relname = $2 AND i.indisunique AND k.ord <= i.indnkeyatts
		ORDER BY ic.relname, k.ord`, r.Schema, r.Shadow)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []rowsUnique
	expr := map[string]bool{}
	for rows.Next() {
		var name, col string
		if err := rows.Scan(&name, &col); err != nil {
			return nil, err
		}
		if len(list) == 0 || list[len(list)-1].name != name {
			list = append(list, rowsUnique{name: name})
		}
		u := &list[len(list)-1]
		u.cols = append(u.cols, col)
		expr[name] = expr[name] || col == ""
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	key := r.dstKey().cols
	for i := range list {
		if expr[list[i].name] {
			list[i].cols = nil
			continue
		}
		list[i].isKey = keyLeads(list[i].cols, key)
	}
	return list, nil
}
