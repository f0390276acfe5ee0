package workload

import (
	"context"
	"database/sql"
	"fmt"
)

// PostgreSQL-only classes: their values are sent and their keys rendered
// differently from any MySQL type (time.Time values, to_char key text,
// array literals).
const (
	clsPgBool class = clsInet6 + 1 + iota
	clsPgDate
	clsPgTimestamp
	clsPgTimestamptz
	clsPgUUID
	clsPgArray // one-dimensional integer or text array, sent as a '{...}' literal
)

// pgType maps a pg_type.typname to a class and to the DataType whose MySQL
// counterpart shares the generation code (intBits, floatValue, ...).
type pgType struct {
	class    class
	dataType string
}

var pgTypes = map[string]pgType{
	"int2": {clsInt, "smallint"}, "int4": {clsInt, "int"}, "int8": {clsInt, "bigint"},
	"numeric": {clsDecimal, "decimal"}, "float4": {clsFloat, "float"}, "float8": {clsFloat, "double"},
	"bool": {clsPgBool, "boolean"}, "text": {clsString, "text"},
	"varchar": {clsString, "varchar"}, "bpchar": {clsString, "char"},
	"bytea": {clsBinary, "bytea"}, "json": {clsJSON, "json"}, "jsonb": {clsJSON, "jsonb"},
	"date": {clsPgDate, "date"}, "timestamp": {clsPgTimestamp, "timestamp"},
	"timestamptz": {clsPgTimestamptz, "timestamptz"}, "uuid": {clsPgUUID, "uuid"},
}

// pgMaxText is the length limit of text and bytea (1 GB).
const pgMaxText = 1 << 30

// et is the element type of a true array (not of int2vector and the like).
// The EXISTS is Mild: the column is referenced by a generated column's
// expression, which pg_depend records as a dependency of the generated
// column's pg_attrdef entry.
const pgColumnsQuery = `SELECT a.attname, format_type(a.atttypid, a.atttypmod), t.typname,
 coalesce(et.typname, ''), a.atttypmod, NOT a.attnotnull, a.attidentity::text, a.attgenerated::text,
 EXISTS (SELECT FROM pg_depend d
   JOIN pg_attrdef ad ON ad.oid = d.objid
   JOIN pg_attribute g ON g.attrelid = ad.adrelid AND g.attnum = ad.adnum
   WHERE d.classid = 'pg_attrdef'::regclass AND d.refclassid = 'pg_class'::regclass
     AND d.refobjid = a.attrelid AND d.refobjsubid = a.attnum
     AND g.attgenerated <> '' AND g.attnum <> a.attnum)
 FROM pg_attribute a
 JOIN pg_class c ON c.oid = a.attrelid
 JOIN pg_namespace n ON n.oid = c.relnamespace
 JOIN pg_type t ON t.oid = a.atttypid
 LEFT JOIN pg_type et ON et.typarray = t.oid
 WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped
 ORDER BY a.attnum`

// columns reads the table's columns from pg_attribute.
func (d pgDialect) columns(ctx context.Context, db *sql.DB, schema, table string) ([]*column, error) {
	name := qualify(d, schema, table)
	rows, err := db.QueryContext(ctx, pgColumnsQuery, schema, table)
	if err != nil {
		return nil, fmt.Errorf("querying columns of %s: %w", name, err)
	}
	defer rows.Close()
	var cols []*column
	for rows.Next() {
		c, err := d.scanColumn(rows)
		if err != nil {
			return nil, fmt.Errorf("scanning columns of %s: %w", name, err)
		}
		cols = append(cols, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading columns of %s: %w", name, err)
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("table %s not found", name)
	}
	return cols, nil
}

func (d pgDialect) scanColumn(rows *sql.Rows) (*column, error) {
	var (
		name, colType, typName, elemName, identity, generated string
		typmod                                                int64
		nullable, mild                                        bool
	)
	err := rows.Scan(&name, &colType, &typName, &elemName, &typmod, &nullable, &identity, &generated, &mild)
	if err != nil {
		return nil, err
	}
	c := d.typedColumn(typName, typmod)
	if elemName != "" {
		c = d.arrayColumn(elemName, typmod)
	}
	c.Name, c.ColumnType, c.Nullable = name, colType, nullable
	c.IdentityAlways, c.Generated, c.Mild = identity == "a", generated != "", mild
	return c, nil
}

// typedColumn classifies a scalar column from its type name and modifier.
func (d pgDialect) typedColumn(typName string, typmod int64) *column {
	t, ok := pgTypes[typName]
	if !ok {
		return &column{DataType: typName, Class: clsUnsupported, Scale: -1}
	}
	c := &column{DataType: t.dataType, Class: t.class, Charset: d.charset, Scale: -1}
	switch t.class {
	case clsString, clsBinary:
		c.setLength(typmod)
	case clsDecimal:
		c.setNumeric(typmod)
	}
	return c
}

// setLength sets the limits of varchar(n)/char(n) (typmod n+4) and of the
// unlimited text, varchar, bpchar and bytea, which are generated like TEXT.
func (c *column) setLength(typmod int64) {
	if typmod >= 4 && c.Class == clsString {
		c.CharLen, c.OctetLen = typmod-4, 4*(typmod-4) // UTF-8: up to 4 bytes a character
		return
	}
	if c.Class == clsString {
		c.DataType = "text"
	}
	c.CharLen, c.OctetLen = pgMaxText, pgMaxText
}

// setNumeric decodes numeric(p,s) from typmod ((p<<16 | s&0x7ff) + 4, the
// scale an 11-bit signed number since PostgreSQL 15). Unconstrained
// numeric gets values of numeric(30,6); negative scales and scales over the
// precision (round values, fractions below 1) are not supported.
func (c *column) setNumeric(typmod int64) {
	if typmod < 4 {
		c.Precision, c.Scale = 30, 6
		return
	}
	c.Precision = (typmod - 4) >> 16 & 0xffff
	c.Scale = ((typmod-4)&0x7ff ^ 1024) - 1024
	if c.Scale < 0 || c.Scale > c.Precision {
		c.Class = clsUnsupported
	}
}

// arrayColumn classifies an array column: integer and text-like elements
// are supported; the typmod (e.g. varchar(10)[]) applies to the elements.
func (d pgDialect) arrayColumn(elemName string, typmod int64) *column {
	elem := d.typedColumn(elemName, typmod)
	c := &column{DataType: "array", Class: clsPgArray, Elem: elem, Scale: -1}
	if elem.Class != clsInt && elem.Class != clsString {
		c.Class = clsUnsupported
	}
	return c
}
