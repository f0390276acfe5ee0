package schema

import "strings"

// A source key whose index the ALTER replaces (DROP PRIMARY KEY, ADD PRIMARY
// KEY (id, i)) still identifies the new table's rows: it is unique in the
// source, every shadow row is a copy of a source row, and its columns are
// copied unchanged. The copy, resync and checksum look shadow rows up by those
// columns, so the new table needs an index led by them: a unique key whose
// first columns they are. The secondary indexes are dropped during the copy,
// so only a unique key counts, and one they are not the prefix of would make
// every resync and checksum lookup a full scan of the shadow.

// LeadingKey returns the first candidate whose leading columns are cols, in
// that order, as an Index under the candidate's name with cols only; ok is
// false when no candidate starts with cols. Engine-neutral: cols are the
// source key's columns as the new table names them.
func LeadingKey(cols []string, candidates []Index) (key Index, ok bool) {
	for _, ix := range candidates {
		if len(ix.Columns) >= len(cols) && sameNames(ix.Columns[:len(cols)], cols) {
			return Index{Name: ix.Name, Columns: append([]string(nil), cols...), Primary: ix.Primary}, true
		}
	}
	return Index{}, false
}

// containedKey is ChooseKey's second choice: a source key whose columns
// survive with the same type and collation and lead a key candidate of dst.
func containedKey(src, dst *Table, toTarget map[string]string) (srcKey, dstKey Index, ok bool) {
	for _, ix := range src.KeyCandidates() {
		mapped, ok := mapNames(ix.Columns, toTarget)
		if !ok || !keptKeyColumns(src, dst, ix.Columns, mapped) {
			continue
		}
		if dix, ok := LeadingKey(mapped, dst.KeyCandidates()); ok {
			return ix, dix, true
		}
	}
	return Index{}, Index{}, false
}

// keptKeyColumns says whether every key column keeps its exact type and
// collation, and none is a float: equal source values stay equal and distinct
// ones distinct, so lookups by the old values find exactly the copied rows.
func keptKeyColumns(src, dst *Table, cols, mapped []string) bool {
	for i, name := range cols {
		s, ok1 := src.Column(name)
		d, ok2 := dst.Column(mapped[i])
		if !ok1 || !ok2 || d.Nullable || d.Generated || !strings.EqualFold(s.FullType, d.FullType) ||
			!strings.EqualFold(s.Collation, d.Collation) || isFloat(s.DataType) {
			return false
		}
	}
	return true
}

func isFloat(dataType string) bool {
	switch strings.ToLower(dataType) {
	case "float", "double", "real", "double precision", "float4", "float8":
		return true
	}
	return false
}
