package binlog

import "fmt"

// KeyDecoder picks the key columns out of a binlog row image and fixes their
// Go types: go-mysql decodes integers as signed, so unsigned columns are
// reinterpreted at their width.
type KeyDecoder struct {
	Columns  int   // column count of the table; row images carry every column
	Ordinals []int // 0-based position of each key column
	Unsigned []bool
	Width    []int // bytes of integer key columns (1,2,3,4,8), 0 otherwise
}

// Keys returns the keys of a rows event's images (before and after images of
// an update both count: a key change dirties the old and the new key).
func (d KeyDecoder) Keys(rows [][]any) ([][]any, error) {
	out := make([][]any, 0, len(rows))
	for _, row := range rows {
		if len(row) != d.Columns {
			return nil, fmt.Errorf("row image has %d columns, the table has %d: was the table altered by someone else, or is binlog_row_image not FULL?", len(row), d.Columns)
		}
		key := make([]any, len(d.Ordinals))
		for i, ord := range d.Ordinals {
			key[i] = d.fix(i, row[ord])
		}
		out = append(out, key)
	}
	return out, nil
}

func (d KeyDecoder) fix(i int, v any) any {
	if !d.Unsigned[i] {
		return v
	}
	switch n := v.(type) {
	case int8:
		return uint64(uint8(n))
	case int16:
		return uint64(uint16(n))
	case int32:
		if d.Width[i] == 3 {
			return uint64(uint32(n) & 0xFFFFFF)
		}
		return uint64(uint32(n))
	case int64:
		return uint64(n)
	}
	return v
}
