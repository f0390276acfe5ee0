package schema

import (
	"fmt"
	"strings"
)

// ColumnPair says that the shadow column Target is filled from source column Source.
type ColumnPair struct {
	Source string
	Target string
}

// MapColumns pairs every writable shadow column with the source column that
// feeds it: the same name, or the old name of a renamed column. Dropped
// columns feed nothing, even if a new column takes their name.
func MapColumns(src, dst *Table, a *Alter) []ColumnPair {
	renamedTo := map[string]string{} // new name (lower) -> old name
	for old, nw := range a.Renames {
		renamedTo[lower(nw)] = old
	}
	var pairs []ColumnPair
	for _, dc := range dst.Columns {
		if dc.Generated {
			continue
		}
		from := lower(dc.Name)
		if old, ok := renamedTo[from]; ok {
			from = old
		} else if a.Dropped[from] || a.Renames[from] != "" {
			continue // the name now belongs to a new column, not the old data
		}
		if sc, ok := src.Column(from); ok {
			pairs = append(pairs, ColumnPair{Source: sc.Name, Target: dc.Name})
		}
	}
	return pairs
}

// ChooseKey picks the row key used for chunking and resync: the first key
// candidate of the source whose columns, after renames, form a unique NOT NULL
// index of the shadow as well and are all copied; failing that, one whose
// columns keep their type and lead such an index of the shadow (see
// LeadingKey): dstKey then names that index but holds only those columns.
func ChooseKey(src, dst *Table, pairs []ColumnPair) (srcKey, dstKey Index, err error) {
	toTarget := map[string]string{}
	for _, p := range pairs {
		toTarget[lower(p.Source)] = p.Target
	}
	for _, ix := range src.KeyCandidates() {
		mapped, ok := mapNames(ix.Columns, toTarget)
		if !ok {
			continue
		}
		for _, dix := range dst.KeyCandidates() {
			if sameNames(dix.Columns, mapped) {
				return ix, dix, nil
			}
		}
	}
	if srcKey, dstKey, ok := containedKey(src, dst, toTarget); ok {
		return srcKey, dstKey, nil
	}
	return Index{}, Index{}, fmt.Errorf("table %s has no PRIMARY KEY or NOT NULL UNIQUE key that exists unchanged both before and after the ALTER, "+
		"nor one whose columns keep their type and lead a PRIMARY KEY or NOT NULL UNIQUE key of the new table: "+
		"hotswap needs one to copy and resync rows; add a primary key first, keep the existing one in the ALTER, "+
		"or put its columns first in the new key", src.Name)
}

func mapNames(cols []string, m map[string]string) ([]string, bool) {
	out := make([]string, len(cols))
	for i, c := range cols {
		t, ok := m[lower(c)]
		if !ok {
			return nil, false
		}
		out[i] = t
	}
	return out, true
}

func sameNames(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !strings.EqualFold(a[i], b[i]) {
			return false
		}
	}
	return true
}
