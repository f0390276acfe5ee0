package mysql

import (
	"strings"

	"github.com/hotswap/hotswap/binlog"
	"github.com/hotswap/hotswap/schema"
)

// keyDecoder tells the binlog reader where the key columns sit in a row image.
func keyDecoder(t *schema.Table, key schema.Index) binlog.KeyDecoder {
	d := binlog.KeyDecoder{Columns: len(t.Columns)}
	for _, name := range key.Columns {
		c, _ := t.Column(name)
		d.Ordinals = append(d.Ordinals, c.Ordinal-1)
		d.Unsigned = append(d.Unsigned, c.Unsigned)
		d.Width = append(d.Width, intWidth(c.DataType))
	}
	return d
}

func intWidth(dataType string) int {
	switch strings.ToLower(dataType) {
	case "tinyint":
		return 1
	case "smallint":
		return 2
	case "mediumint":
		return 3
	case "int", "integer":
		return 4
	case "bigint":
		return 8
	}
	return 0
}
