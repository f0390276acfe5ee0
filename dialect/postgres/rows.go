package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/hotswap/hotswap/internal/inflight"
	"github.com/hotswap/hotswap/schema"
)

// Rows is the SQL for moving rows from the source table to the shadow:
// chunk copy by key range, resync by key list, and the checksum's reads. Keys
// are value slices in key-column order; source and shadow key columns
// correspond by position. One *Rows must serve both the copier and the
// applier of a run: ResyncTx waits for the copy chunks it has in flight.
type Rows struct {
	DB                     *sql.DB
	Schema, Source, Shadow string
	Pairs                  []schema.ColumnPair
	KeyColumns             []string // source row key (the primary key)
	DstKeyColumns          []string // the shadow's names for it; nil: the same names
	// Column -> format_type() text, for parameter casts and the checksum's
	// comparisons. A column missing here gets no cast.
	SrcTypes, DstTypes map[string]string
	// Using maps a shadow column to the ALTER's USING expression for it,
	// written over the source row (see UsingExprs): the copy, the resync
	// and the checksum compute the column's value with it instead of
	// reading the source column.
	Using map[string]string
	// Keep are shadow columns no pair feeds whose values a resync keeps for
	// the shadow rows it replaces; a row new to the shadow gets their
	// defaults (see replaceKeeping). A revert window's old table keeps the
	// columns the ALTER dropped this way. nil: none.
	Keep []string

	copies  inflight.Tracker // copy chunks running now (see internal/inflight)
	uniques rowsUniqueCache
}

func (r *Rows) srcTable() string    { return rowsIdent(r.Schema) + "." + rowsIdent(r.Source) }
func (r *Rows) shadowTable() string { return rowsIdent(r.Schema) + "." + rowsIdent(r.Shadow) }

func (r *Rows) srcKey() rowsKey { return rowsKeyOf(r.KeyColumns, r.SrcTypes) }

func (r *Rows) dstKey() rowsKey {
	if r.DstKeyColumns == nil {
		return rowsKeyOf(r.KeyColumns, r.DstTypes)
	}
	return rowsKeyOf(r.DstKeyColumns, r.DstTypes)
}

func rowsKeyOf(cols []string, types map[string]string) rowsKey {
	k := rowsKey{cols: cols, types: make([]string, len(cols))}
	for i, c := range cols {
		k.types[i] = types[c]
	}
	return k
}

// targets is the shadow's column list of an INSERT.
func (r *Rows) targets() string {
	out := make([]string, len(r.Pairs))
	for i, p := range r.Pairs {
		out[i] = rowsIdent(p.Target)
	}
	return strings.Join(out, ", ")
}

// sources is the matching select list over the source table, read without
// an alias: a USING expression names the source's columns unqualified. The
// INSERT's assignment cast converts each value to the shadow's type on the
// server, as the server's own ALTER does with the column or the USING
// expression: a value that does not fit (too long, out of range) fails the
// statement instead of changing.
func (r *Rows) sources() string {
	out := make([]string, len(r.Pairs))
	for i, p := range r.Pairs {
		out[i] = r.sourceValue("", p)
	}
	return strings.Join(out, ", ")
}

// sourceValue is what feeds shadow column p.Target from a source row: the
// column alias.p.Source, or the USING expression, parenthesized (a newline
// before the parenthesis ends a trailing -- comment). The expression's column
// names are unqualified: only where the source is the one table in scope.
func (r *Rows) sourceValue(alias string, p schema.ColumnPair) string {
	if e, ok := r.Using[p.Target]; ok {
		return "(" + e + "\n)"
	}
	return rowsCol(alias, p.Source)
}

// usingLateral is, when the ALTER has USING expressions, a CROSS JOIN LATERAL
// that computes them over the source row aliased alias, as columns u0, u1...
// of alias u (in Pairs order): a query that joins the shadow too cannot use
// the expressions' unqualified names, which a lateral subquery placed right
// after the source resolves against the source alone. "" without USING.
func (r *Rows) usingLateral(alias string) string {
	var cols []string
	for i, p := range r.Pairs {
		if _, ok := r.Using[p.Target]; ok {
			cols = append(cols, r.sourceValue(alias, p)+" AS u"+strconv.Itoa(i))
		}
	}
	if len(cols) == 0 {
		return ""
	}
	return " CROSS JOIN LATERAL (SELECT " + strings.Join(cols, ", ") + ") u"
}

// sourceOperand is p's source value in a query that joins the shadow: the
// column alias.Source, or u.u<i> from usingLateral.
func (r *Rows) sourceOperand(alias string, i int, p schema.ColumnPair) string {
	if _, ok := r.Using[p.Target]; ok {
		return "u.u" + strconv.Itoa(i)
	}
	return rowsCol(alias, p.Source)
}

// checkKeys rejects a malformed row key, and keys of the wrong width, before
// they become SQL and parameters.
func (r *Rows) checkKeys(keys ...[]any) error {
	if len(r.KeyColumns) == 0 {
		return errors.New("no row key columns")
	}
	if r.DstKeyColumns != nil && len(r.DstKeyColumns) != len(r.KeyColumns) {
		return fmt.Errorf("row key (%s) and shadow row key (%s) differ in width",
			strings.Join(r.KeyColumns, ", "), strings.Join(r.DstKeyColumns, ", "))
	}
	for _, k := range keys {
		if k != nil && len(k) != len(r.KeyColumns) {
			return fmt.Errorf("key %v has %d values, the row key (%s) has %d columns",
				k, len(k), strings.Join(r.KeyColumns, ", "), len(r.KeyColumns))
		}
	}
	return nil
}

// NextBoundary returns the key `size` rows after `after` (nil: from the
// start), stepping over the primary key's index only; ok is false when fewer
// rows remain, so the last chunk is open-ended.
func (r *Rows) NextBoundary(ctx context.Context, after []any, size int) ([]any, bool, error) {
	return r.boundaryOn(ctx, r.DB, after, size)
}

func (r *Rows) boundaryOn(ctx context.Context, q Querier, after []any, size int) ([]any, bool, error) {
	if err := r.checkKeys(after); err != nil {
		return nil, false, fmt.Errorf("find chunk boundary: %w", err)
	}
	k, a := r.srcKey(), &rowsArgs{}
	query := fmt.Sprintf("SELECT %s FROM %s WHERE %s ORDER BY %s LIMIT 1 OFFSET %d",
		k.selectList(""), r.srcTable(), k.between("", a, after, nil), k.orderBy(""), max(size, 1)-1)
	vals := make([]any, len(k.cols))
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	err := q.QueryRowContext(ctx, query, a.vals...).Scan(ptrs...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("find chunk boundary after %v in %s: %w", after, r.Source, err)
	}
	return vals, true, nil
}

// rowsScanKeys runs a query returning keys of width columns.
func rowsScanKeys(ctx context.Context, q Querier, width int, query string, args ...any) ([][]any, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]any
	for rows.Next() {
		vals := make([]any, width)
		ptrs := make([]any, width)
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		out = append(out, vals)
	}
	return out, rows.Err()
}
