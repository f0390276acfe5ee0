package postgres

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/hotswap/hotswap/schema"
)

// ShadowKey returns the source's primary key columns and the shadow's names
// for them. The copy walks the source in key order and the change stream
// replays rows by key on the shadow, so the shadow's rows must be identified
// by the same columns (its primary key, or a unique key they lead, see
// samePrimaryKey), with types that keep every key distinct and in the same
// order.
func ShadowKey(src, dst *Table, pairs []schema.ColumnPair) (srcKey, dstKey []string, err error) {
	if len(src.Key) == 0 {
		return nil, nil, fmt.Errorf("%s.%s has no primary key: hotswap needs one to copy in chunks and to resync changed rows; add one first", src.Schema, src.Name)
	}
	target := map[string]string{}
	for _, p := range pairs {
		target[p.Source] = p.Target
	}
	for _, c := range src.Key {
		t, ok := target[c]
		if !ok {
			return nil, nil, fmt.Errorf("the ALTER drops primary key column %s of %s.%s: not supported; hotswap follows rows by the primary key; change the primary key with a plain ALTER TABLE first", c, src.Schema, src.Name)
		}
		dstKey = append(dstKey, t)
	}
	if err := samePrimaryKey(src, dst, dstKey); err != nil {
		return nil, nil, err
	}
	for i, c := range src.Key {
		if err := keyTypeChange(columnNamed(src, c), columnNamed(dst, dstKey[i])); err != nil {
			return nil, nil, err
		}
	}
	return src.Key, dstKey, nil
}

// keyTypeChange refuses a key column type change that could reorder keys
// or merge two of them into one; a few widenings are safe.
func keyTypeChange(s, d Column) error {
	if s.Type == d.Type && s.Collation == d.Collation {
		return nil
	}
	if s.Type != d.Type && keyWidening(s.Type, d.Type) && s.Collation == d.Collation {
		return nil
	}
	if s.Type == d.Type {
		return fmt.Errorf("the ALTER changes the collation of key column %s from %s to %s, which may reorder keys or merge them; "+
			"change it with a plain ALTER TABLE, not with hotswap", s.Name, orNone(s.Collation), orNone(d.Collation))
	}
	return fmt.Errorf("the ALTER changes the type of key column %s from %s to %s, which may reorder or merge keys; "+
		"on a key column hotswap follows only smallint -> integer -> bigint and a longer varchar or text with the same collation: "+
		"change this one with a plain ALTER TABLE, not with hotswap", s.Name, keyTypeText(s), keyTypeText(d))
}

var varcharLen = regexp.MustCompile(`^character varying\((\d+)\)$`)

// keyWidening: every value of from is a value of to, with the same order
// and equality (for text types, under the same collation, checked apart).
func keyWidening(from, to string) bool {
	ints := map[string]int{"smallint": 1, "integer": 2, "bigint": 3}
	if ints[from] > 0 && ints[to] > 0 {
		return ints[to] > ints[from]
	}
	m := varcharLen.FindStringSubmatch(from)
	if m == nil {
		return false
	}
	if to == "text" || to == "character varying" {
		return true
	}
	n, _ := strconv.Atoi(m[1])
	if mm := varcharLen.FindStringSubmatch(to); mm != nil {
		k, _ := strconv.Atoi(mm[1])
		return k > n
	}
	return false
}

func keyTypeText(c Column) string {
	if c.Collation == "" || c.Collation == `"default"` {
		return c.Type
	}
	return c.Type + " COLLATE " + c.Collation
}

func orNone(collation string) string {
	if collation == "" {
		return "none"
	}
	return collation
}

func columnNamed(t *Table, name string) Column {
	for _, c := range t.Columns {
		if c.Name == name {
			return c
		}
	}
	return Column{Name: name}
}

// samePrimaryKey checks that the shadow's rows are identified by the source's
// primary key, under the shadow's names for its columns: the shadow's primary
// key is the same, or the shadow has a unique key that starts with those
// columns (DROP CONSTRAINT t_pkey, ADD PRIMARY KEY (id, i)). In the second
// case the old key still identifies the shadow's rows, since every shadow row
// is a copy of a source row, where it was unique; the columns must lead the
// index so that the resync's and the checksum's lookups by the old key use
// it. A key that merely contains them elsewhere is refused like a dropped
// one (a lookup by key would read the whole shadow).
func samePrimaryKey(src, dst *Table, want []string) error {
	const fix = "not supported: hotswap follows rows by the primary key; leave it out of the ALTER and change it with a plain ALTER TABLE"
	if slices.Equal(dst.Key, want) || slices.ContainsFunc(dst.Uniques, func(u []string) bool { return keyLeads(u, want) }) {
		return nil
	}
	if len(dst.Key) == 0 {
		return fmt.Errorf("the ALTER drops the primary key of %s.%s and no unique key of the new table starts with its columns (%s): %s",
			src.Schema, src.Name, strings.Join(want, ", "), fix)
	}
	return fmt.Errorf("the ALTER changes the primary key of %s.%s to (%s) from (%s) (%s on the shadow), and no unique key of the new table starts with (%s): %s",
		src.Schema, src.Name, strings.Join(dst.Key, ", "), strings.Join(src.Key, ", "), strings.Join(want, ", "), strings.Join(want, ", "), fix)
}

// keyLeads says whether the first len(key) columns of index are key's, in
// any order.
func keyLeads(index, key []string) bool {
	if len(index) < len(key) {
		return false
	}
	return slices.Equal(slices.Sorted(slices.Values(index[:len(key)])), slices.Sorted(slices.Values(key)))
}
