package workload

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"
)

// class groups MySQL data types by how values are generated and rendered.
type class int

const (
	clsUnsupported class = iota
	clsInt
	clsDecimal
	clsFloat
	clsString // CHAR, VARCHAR, *TEXT
	clsBinary // BINARY, VARBINARY, *BLOB
	clsDate
	clsDatetime
	clsTimestamp
	clsTime
	clsYear
	clsEnum
	clsSet
	clsBit
	clsJSON
	clsUUID
	clsInet4
	clsInet6
)

// column is what the workload needs to know about one table column.
type column struct {
	Name       string
	DataType   string // lower-case DATA_TYPE, e.g. "varchar"
	ColumnType string // lower-case COLUMN_TYPE, e.g. "varchar(20)"
	Class      class
	Nullable   bool
	Unsigned   bool
	Generated  bool
	CharLen    int64 // CHARACTER_MAXIMUM_LENGTH (characters; bytes for binary)
	OctetLen   int64 // CHARACTER_OCTET_LENGTH
	Precision  int64 // NUMERIC_PRECISION (bits for BIT)
	Scale      int64 // NUMERIC_SCALE, -1 if NULL (plain FLOAT/DOUBLE)
	FracDigits int   // DATETIME_PRECISION
	Charset    string
	Values     []string // ENUM/SET members

	// PostgreSQL only.
	IdentityAlways bool    // GENERATED ALWAYS AS IDENTITY: INSERT needs OVERRIDING SYSTEM VALUE
	Mild           bool    // feeds a generated column: small values only, see gen.mildValue
	Elem           *column // element of a clsPgArray column
}

var classByType = map[string]class{
	"tinyint": clsInt, "smallint": clsInt, "mediumint": clsInt, "int": clsInt, "bigint": clsInt,
	"decimal": clsDecimal, "float": clsFloat, "double": clsFloat,
	"char": clsString, "varchar": clsString, "tinytext": clsString, "text": clsString,
	"mediumtext": clsString, "longtext": clsString,
	"binary": clsBinary, "varbinary": clsBinary, "tinyblob": clsBinary, "blob": clsBinary,
	"mediumblob": clsBinary, "longblob": clsBinary,
	"date": clsDate, "datetime": clsDatetime, "timestamp": clsTimestamp, "time": clsTime,
	"year": clsYear, "enum": clsEnum, "set": clsSet, "bit": clsBit, "json": clsJSON,
	"uuid": clsUUID, "inet4": clsInet4, "inet6": clsInet6,
}

const columnsQuery = `SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE,
 CHARACTER_MAXIMUM_LENGTH, CHARACTER_OCTET_LENGTH, NUMERIC_PRECISION, NUMERIC_SCALE,
 DATETIME_PRECISION, CHARACTER_SET_NAME, EXTRA
 FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?
 ORDER BY ORDINAL_POSITION`

// loadColumns reads the table's columns from information_schema.
func loadColumns(ctx context.Context, db *sql.DB, schema, table string) ([]*column, error) {
	rows, err := db.QueryContext(ctx, columnsQuery, schema, table)
	if err != nil {
		return nil, fmt.Errorf("querying columns of %s: %w", qualified(schema, table), err)
	}
	defer rows.Close()
	var cols []*column
	for rows.Next() {
		c, err := scanColumn(rows)
		if err != nil {
			return nil, fmt.Errorf("scanning columns of %s: %w", qualified(schema, table), err)
		}
		cols = append(cols, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading columns of %s: %w", qualified(schema, table), err)
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("table %s not found", qualified(schema, table))
	}
	jsonCols, err := loadJSONChecks(ctx, db, schema, table)
	if err != nil {
		return nil, err
	}
	for _, c := range cols {
		if jsonCols[c.Name] {
			c.Class = clsJSON
		}
	}
	return cols, nil
}

func scanColumn(rows *sql.Rows) (*column, error) {
	var (
		c                            column
		nullable, extra              string
		charLen, octLen, prec, scale sql.NullInt64
		fracDigits                   sql.NullInt64
		charset                      sql.NullString
	)
	err := rows.Scan(&c.Name, &c.DataType, &c.ColumnType, &nullable, &charLen, &octLen,
		&prec, &scale, &fracDigits, &charset, &extra)
	if err != nil {
		return nil, err
	}
	c.DataType = strings.ToLower(c.DataType)
	c.ColumnType = strings.ToLower(c.ColumnType)
	c.Class = classByType[c.DataType]
	c.Nullable = nullable == "YES"
	c.Unsigned = strings.Contains(c.ColumnType, "unsigned")
	c.Generated = isGenerated(extra)
	c.CharLen, c.OctetLen, c.Precision = charLen.Int64, octLen.Int64, prec.Int64
	c.Scale = -1
	if scale.Valid {
		c.Scale = scale.Int64
	}
	c.FracDigits = int(fracDigits.Int64)
	c.Charset = strings.ToLower(charset.String)
	if c.Class == clsEnum || c.Class == clsSet {
		if c.Values, err = parseEnumValues(c.ColumnType); err != nil {
			return nil, fmt.Errorf("column %s: %w", c.Name, err)
		}
	}
	return &c, nil
}

// isGenerated tells virtual/stored generated columns from MySQL 8's
// "DEFAULT_GENERATED", which only marks an expression default.
func isGenerated(extra string) bool {
	e := strings.ToUpper(extra)
	return strings.Contains(e, "VIRTUAL GENERATED") ||
		strings.Contains(e, "STORED GENERATED") ||
		strings.Contains(e, "PERSISTENT GENERATED")
}

var jsonValidRE = regexp.MustCompile("(?i)^\\s*json_valid\\(`((?:[^`]|``)+)`\\)\\s*$")

// loadJSONChecks finds MariaDB JSON columns: MariaDB reports them as
// LONGTEXT with a CHECK (json_valid(`col`)) constraint, and writing random
// text into them would fail that check. MySQL has a real JSON type and no
// TABLE_NAME in CHECK_CONSTRAINTS, so a failing query is not an error.
func loadJSONChecks(ctx context.Context, db *sql.DB, schema, table string) (map[string]bool, error) {
	rows, err := db.QueryContext(ctx, `SELECT CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS
 WHERE CONSTRAINT_SCHEMA = ? AND TABLE_NAME = ?`, schema, table)
	if err != nil {
		return nil, nil // not MariaDB: JSON columns have DATA_TYPE json there
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var clause string
		if err := rows.Scan(&clause); err != nil {
			return nil, fmt.Errorf("scanning check constraints of %s: %w", qualified(schema, table), err)
		}
		if m := jsonValidRE.FindStringSubmatch(clause); m != nil {
			out[strings.ReplaceAll(m[1], "``", "`")] = true
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading check constraints of %s: %w", qualified(schema, table), err)
	}
	return out, nil
}

// parseEnumValues parses "enum('a','b”c','d\\e')" (or set(...)) as shown in
// COLUMN_TYPE: members are single-quoted, a quote is doubled, and a
// backslash is escaped with a backslash.
func parseEnumValues(colType string) ([]string, error) {
	open := strings.IndexByte(colType, '(')
	if open < 0 || !strings.HasSuffix(colType, ")") {
		return nil, fmt.Errorf("cannot parse members of %q", colType)
	}
	s := colType[open+1 : len(colType)-1]
	var vals []string
	for i := 0; i < len(s); {
		if s[i] == ',' {
			i++
			continue
		}
		v, n, err := parseQuoted(s[i:])
		if err != nil {
			return nil, fmt.Errorf("parsing %q: %w", colType, err)
		}
		vals = append(vals, v)
		i += n
	}
	if len(vals) == 0 {
		return nil, fmt.Errorf("no members in %q", colType)
	}
	return vals, nil
}

// parseQuoted parses one '...' literal at the start of s and returns the
// value and the number of bytes consumed.
func parseQuoted(s string) (string, int, error) {
	if s == "" || s[0] != '\'' {
		return "", 0, fmt.Errorf("expected quote at %q", s)
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch {
		case s[i] == '\'' && i+1 < len(s) && s[i+1] == '\'':
			b.WriteByte('\'')
			i++
		case s[i] == '\'':
			return b.String(), i + 1, nil
		case s[i] == '\\' && i+1 < len(s):
			b.WriteByte(unescapeByte(s[i+1]))
			i++
		default:
			b.WriteByte(s[i])
		}
	}
	return "", 0, fmt.Errorf("unterminated quote in %q", s)
}

func unescapeByte(c byte) byte {
	switch c {
	case 'n':
		return '\n'
	case 't':
		return '\t'
	case 'r':
		return '\r'
	case '0':
		return 0
	}
	return c
}
