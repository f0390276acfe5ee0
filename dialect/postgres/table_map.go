package postgres

import "github.com/hotswap/hotswap/schema"

// MapColumns pairs every writable shadow column with the source column that
// feeds it, by attribute number rather than by name: the shadow is made with
// CREATE TABLE ... (LIKE source), which copies the source's live columns in
// order, so the shadow's attnum k is the source's k-th live column (the
// source's own attnums may have gaps from dropped columns). RENAME COLUMN
// and ALTER COLUMN TYPE keep a column's attnum, DROP COLUMN removes it, and
// ADD COLUMN takes a new one beyond the source's count, so a column dropped
// and added back under its old name starts empty, as it should.
//
// Generated shadow columns (GENERATED ALWAYS AS ... STORED) are left out:
// the server computes them and refuses values for them.
func MapColumns(src, dst *Table) []schema.ColumnPair {
	var pairs []schema.ColumnPair
	for _, dc := range dst.Columns {
		if dc.Generated || dc.Num < 1 || dc.Num > len(src.Columns) {
			continue
		}
		pairs = append(pairs, schema.ColumnPair{Source: src.Columns[dc.Num-1].Name, Target: dc.Name})
	}
	return pairs
}
