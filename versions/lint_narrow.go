package versions

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// The narrow-type rule: a column given a type that holds less than its
// current one (a shorter string, a smaller integer, fewer digits, signed to
// unsigned, a string turned into a number or a date, a date-time into a
// date). Values that no longer fit fail the statement (PostgreSQL, MySQL's
// strict mode) or are cut silently (MySQL otherwise), and the running
// application's writes of such values fail from then on. Types it does
// not know are not judged.

// colType is a column type reduced to what the rule compares.
type colType struct {
	family   string // int, chars, decimal, float, datetime, date, or the type's name
	size     int64  // int: bytes; chars: characters (MaxInt64: unbounded); decimal: precision; float: bytes
	scale    int64  // decimal
	unsigned bool
}

// intBytes, charsBound and floatBytes size the known types.
var (
	intBytes = map[string]int64{"tinyint": 1, "smallint": 2, "int2": 2, "mediumint": 3, "int": 4, "integer": 4, "int4": 4, "bigint": 8, "int8": 8}
	// a bound text type (MySQL): its length in bytes
	textBytes = map[string]int64{"tinytext": 255, "tinyblob": 255, "text": 65535, "blob": 65535,
		"mediumtext": 1<<24 - 1, "mediumblob": 1<<24 - 1, "longtext": 1<<32 - 1, "longblob": 1<<32 - 1}
	charTypes  = map[string]bool{"char": true, "character": true, "varchar": true, "character varying": true, "nchar": true, "nvarchar": true, "binary": true, "varbinary": true, "bpchar": true}
	floatBytes = map[string]int64{"float": 4, "real": 4, "float4": 4, "double": 8, "double precision": 8, "float8": 8}
	// digits a value of an integer type of this many bytes may need, with its sign
	intDigits = map[int64]int64{1: 3, 2: 5, 3: 8, 4: 10, 8: 19}
)

// parseColType reads a type as the server spells it or as an ALTER writes
// it ("varchar(100)", "int(10) unsigned", "character varying(20)",
// "numeric(10,2)", "timestamp without time zone"). pg: PostgreSQL, where
// text and varchar without a length are unbounded.
func parseColType(s string, pg bool) colType {
	s = strings.ToLower(strings.TrimSpace(s))
	name, args := s, ""
	if i := strings.IndexByte(s, '('); i >= 0 {
		name, args = strings.TrimSpace(s[:i]), s[i+1:]
		if j := strings.IndexByte(args, ')'); j >= 0 {
			args = args[:j]
		}
	}
	rest := strings.TrimSpace(s[strings.LastIndexByte(s, ')')+1:])
	if !strings.Contains(s, "(") {
		rest = ""
	}
	t := colType{unsigned: strings.Contains(rest, "unsigned") || strings.HasSuffix(name, " unsigned")}
	name = strings.TrimSuffix(strings.TrimSuffix(name, " unsigned"), " zerofill")
	nums := parseInts(args)
	switch {
	case intBytes[name] > 0:
		t.family, t.size = "int", intBytes[name]
	case charTypes[name]:
		t.family, t.size = "chars", 1
		if len(nums) > 0 {
			t.size = nums[0]
		} else if name == "varchar" || name == "character varying" {
			t.size = math.MaxInt64 // PostgreSQL: no limit (MySQL requires one)
		}
	case name == "text" && pg, name == "bytea", name == "json", name == "jsonb":
		t.family, t.size = "chars", math.MaxInt64
	case textBytes[name] > 0:
		t.family, t.size = "chars", textBytes[name]
	case name == "decimal" || name == "numeric" || name == "dec" || name == "fixed":
		t.family, t.size = "decimal", 10
		if pg {
			t.size, t.scale = 1000, 1000 // PostgreSQL: no limit
		}
		if len(nums) > 0 {
			t.size, t.scale = nums[0], 0
		}
		if len(nums) > 1 {
			t.scale = nums[1]
		}
	case floatBytes[name] > 0:
		t.family, t.size = "float", floatBytes[name]
	case name == "datetime" || strings.HasPrefix(name, "timestamp"):
		t.family = "datetime"
	default:
		t.family = name
	}
	return t
}

func parseInts(s string) []int64 {
	var out []int64
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64)
		if err != nil {
			return out
		}
		out = append(out, n)
	}
	return out
}

// narrows says why type to holds less than from ("" when it does not, or
// when the rule does not know).
func narrows(from, to colType) string {
	switch {
	case from.family == to.family:
		return narrowsSameFamily(from, to)
	case from.family == "chars" && (to.family == "int" || to.family == "decimal" || to.family == "float" || to.family == "datetime" || to.family == "date"):
		return "strings that are not a " + to.family + " fail to convert"
	case (from.family == "decimal" || from.family == "float") && to.family == "int":
		return "fractions are rounded away"
	case from.family == "float" && to.family == "decimal":
		return "values beyond its digits do not fit"
	case from.family == "int" && to.family == "decimal" && to.size-to.scale < intDigits[from.size]:
		return fmt.Sprintf("integers of %d digits do not fit in %d digits before the point", intDigits[from.size], to.size-to.scale)
	case (from.family == "int" || from.family == "decimal") && to.family == "chars" && to.size < numberChars(from):
		return fmt.Sprintf("numbers of %d characters do not fit in %d", numberChars(from), to.size)
	case from.family == "datetime" && to.family == "date":
		return "the time of day is cut off"
	}
	return ""
}

func narrowsSameFamily(from, to colType) string {
	switch from.family {
	case "int":
		switch {
		case to.size < from.size:
			return "smaller integers"
		case from.unsigned != to.unsigned && to.size == from.size:
			return "the signed and unsigned ranges differ"
		case !from.unsigned && to.unsigned:
			return "negative values do not fit"
		}
	case "chars":
		if to.size < from.size {
			return "shorter"
		}
	case "decimal":
		if to.size-to.scale < from.size-from.scale || to.scale < from.scale {
			return "fewer digits"
		}
	case "float":
		if to.size < from.size {
			return "less precision"
		}
	}
	return ""
}

// numberChars is the most characters a value of a numeric type prints as.
func numberChars(t colType) int64 {
	if t.family == "int" {
		return intDigits[t.size]
	}
	return t.size + 2 // sign and point
}

// typeWords reads the type at the start of a column definition's tokens:
// its words (two for "character varying", "double precision"), the
// parenthesized size, then UNSIGNED/ZEROFILL.
func (s scanned) typeWords(t []token) string {
	if len(t) == 0 || t[0].kind != tokWord {
		return ""
	}
	var b strings.Builder
	b.WriteString(t[0].text)
	i := 1
	if i < len(t) && (t[i].is("varying") || t[i].is("precision")) {
		b.WriteString(" " + t[i].text)
		i++
	}
	if i < len(t) && t[i].punct("(") {
		for ; i < len(t); i++ {
			b.WriteString(t[i].text)
			if t[i].punct(")") {
				i++
				break
			}
		}
	}
	for ; i < len(t) && (t[i].is("unsigned") || t[i].is("zerofill") || t[i].is("signed")); i++ {
		b.WriteString(" " + t[i].text)
	}
	return b.String()
}

// narrowType is narrow-type of a column given the type typ by an ALTER.
func (a alterCheck) narrowType(ctx context.Context, col, typ string) ([]issue, error) {
	if typ == "" {
		return nil, nil
	}
	now, found, err := a.db.ColumnType(ctx, a.schema, a.table, col)
	if err != nil || !found {
		return nil, err
	}
	why := narrows(parseColType(now, a.pg), parseColType(typ, a.pg))
	if why == "" {
		return nil, nil
	}
	return []issue{{ruleNarrowType, fmt.Sprintf("narrows column %s of %s from %s to %s (%s): values that do not fit fail the statement "+
		"(MySQL outside strict mode changes them silently), and the running application's writes of such values fail", col, a.name(), now, typ, why)}}, nil
}
