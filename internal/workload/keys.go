package workload

import (
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// keyRole says which part of an id a key column encodes. A single-column
// key stores the id itself; in a composite key the first column stores
// id/16, the second id%16 and any further ones the id again, so that the
// leading columns have many duplicates (exercising composite ordering).
type keyRole int

const (
	roleID keyRole = iota
	roleDiv16
	roleMod16
)

// keyCol is one column of a key (row key or other UNIQUE index) together
// with the part of the id it encodes and its effective length (the index
// prefix length if shorter than the column).
type keyCol struct {
	col    *column
	role   keyRole
	maxLen int64
}

// keySpec maps ids to the values of an index's columns and back.
type keySpec struct {
	index string
	cols  []keyCol
}

// Base times of temporal key columns: a January base keeps TIMESTAMP keys
// clear of DST changes for the first few million seconds.
var (
	keyBaseDate = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	keyMaxTime  = int64(838*3600 + 59*60 + 59)
)

func newKeySpec(ix index, byName map[string]*column) keySpec {
	k := keySpec{index: ix.Name}
	for i, name := range ix.Cols {
		c := byName[name]
		kc := keyCol{col: c, role: roleID, maxLen: c.CharLen}
		if len(ix.Cols) > 1 && i == 0 {
			kc.role = roleDiv16
		} else if len(ix.Cols) > 1 && i == 1 {
			kc.role = roleMod16
		}
		if sp := ix.SubParts[i]; sp > 0 && sp < kc.maxLen {
			kc.maxLen = sp
		}
		k.cols = append(k.cols, kc)
	}
	return k
}

// part returns the number column kc encodes for id.
func (kc keyCol) part(id int64) int64 {
	switch kc.role {
	case roleDiv16:
		return id / 16
	case roleMod16:
		return id % 16
	}
	return id
}

// maxID is the largest id every column of k can represent (0 if none).
func (k keySpec) maxID() int64 {
	limit := int64(math.MaxInt64)
	for _, kc := range k.cols {
		limit = min(limit, kc.maxID())
	}
	return limit
}

func (kc keyCol) maxID() int64 {
	mv := maxKeyValue(kc.col, kc.maxLen)
	switch kc.role {
	case roleDiv16:
		if mv >= math.MaxInt64/16 {
			return math.MaxInt64
		}
		return (mv+1)*16 - 1
	case roleMod16:
		if mv < 15 {
			return 0
		}
		return math.MaxInt64
	}
	return mv
}

// params returns the values to bind for k's columns, or ok=false if some
// column cannot represent id.
func (k keySpec) params(id int64) (vals []any, ok bool) {
	vals = make([]any, len(k.cols))
	for i, kc := range k.cols {
		if vals[i], ok = keyParam(kc.col, kc.maxLen, kc.part(id)); !ok {
			return nil, false
		}
	}
	return vals, true
}

// text renders id the way selectExprs reads the key back from a table whose
// key columns are render (same order as k.cols); see keyText.
func (k keySpec) text(id int64, render []*column) (string, bool) {
	parts := make([]string, len(k.cols))
	for i, kc := range k.cols {
		t, ok := keyText(kc.col, render[i], kc.maxLen, kc.part(id))
		if !ok {
			return "", false
		}
		parts[i] = t
	}
	return strings.Join(parts, "\x00"), true
}

// position returns the index of c among k's columns, or -1.
func (k keySpec) position(c *column) int {
	for i, kc := range k.cols {
		if kc.col == c {
			return i
		}
	}
	return -1
}

// whereClause returns "`a` = ? AND `b` = ?" (PostgreSQL: "a" = $n ...),
// placeholders numbered from `from`.
func (k keySpec) whereClause(d dialect, from int) string {
	conds := make([]string, len(k.cols))
	for i, kc := range k.cols {
		conds[i] = d.quote(kc.col.Name) + " = " + d.param(from+i)
	}
	return strings.Join(conds, " AND ")
}

// maxKeyValue is the largest non-negative number v that keyParam can map to
// a distinct value of c (0 if c's type cannot be a workload key).
func maxKeyValue(c *column, maxLen int64) int64 {
	switch c.Class {
	case clsInt:
		_, hi := intRange(c)
		return int64(min(hi, math.MaxInt64))
	case clsDecimal:
		return pow10Minus1(c.Precision - max(c.Scale, 0))
	case clsFloat:
		if c.Scale >= 0 { // FLOAT(M,D): CAST renders the decimals
			return 0
		}
		if c.DataType == "float" { // CAST shows 6 significant digits
			return 999_999
		}
		return 999_999_999_999_999
	case clsString, clsBinary:
		if maxLen >= 13 {
			return 999_999_999_999
		}
		return pow10Minus1(maxLen)
	case clsDate:
		return 2_900_000
	case clsDatetime:
		return 100_000_000_000
	case clsTimestamp:
		return 5_000_000
	case clsTime:
		return keyMaxTime
	case clsYear:
		return 254
	case clsEnum:
		return int64(len(c.Values) - 1)
	}
	return pgMaxKeyValue(c)
}

func pow10Minus1(digits int64) int64 {
	if digits >= 18 {
		return math.MaxInt64
	}
	r := int64(1)
	for range digits {
		r *= 10
	}
	return r - 1
}

// keyString is the string form of v in a column of effective length maxLen:
// "k%012d" when it fits (so keys sort as strings like they do as numbers),
// else plain digits.
func keyString(maxLen, v int64) string {
	if maxLen >= 13 {
		return fmt.Sprintf("k%012d", v)
	}
	return strconv.FormatInt(v, 10)
}

// keyParam returns the value bound for number v in key column c.
func keyParam(c *column, maxLen, v int64) (any, bool) {
	if v < 0 || v > maxKeyValue(c, maxLen) {
		return nil, false
	}
	switch c.Class {
	case clsInt:
		return v, true
	case clsYear:
		return 1901 + v, true
	case clsFloat:
		return float64(v), true
	case clsBinary:
		return binaryKey(c, maxLen, v), true
	case clsPgDate, clsPgTimestamp, clsPgTimestamptz:
		return pgKeyTime(c, v), true
	}
	return keyText(c, c, maxLen, v)
}

func binaryKey(c *column, maxLen, v int64) []byte {
	b := []byte(keyString(maxLen, v))
	if c.DataType == "binary" && int64(len(b)) < c.OctetLen {
		b = append(b, make([]byte, c.OctetLen-int64(len(b)))...)
	}
	return b
}

// keyText returns the text the server shows for number v written through
// key column orig, when read back (CAST AS CHAR, or HEX for binary) from a
// column render: the value is decided by orig, the rendering details
// (decimal scale, fractional digits, BINARY padding) by render, so Check
// still matches after a migration changed those.
func keyText(orig, render *column, maxLen, v int64) (string, bool) {
	if v < 0 || v > maxKeyValue(orig, maxLen) {
		return "", false
	}
	if render.Class != orig.Class {
		render = orig
	}
	switch orig.Class {
	case clsInt, clsFloat:
		return strconv.FormatInt(v, 10), true
	case clsYear:
		return strconv.FormatInt(1901+v, 10), true
	case clsDecimal:
		return strconv.FormatInt(v, 10) + fraction(int(render.Scale)), true
	case clsString:
		return keyString(maxLen, v), true
	case clsBinary:
		return strings.ToUpper(hex.EncodeToString(binaryKey(render, maxLen, v))), true
	case clsDate:
		return keyBaseDate.AddDate(0, 0, int(v)).Format(time.DateOnly), true
	case clsDatetime, clsTimestamp:
		t := keyBaseDate.Add(time.Duration(v) * time.Second)
		return t.Format(time.DateTime) + fraction(render.FracDigits), true
	case clsTime:
		return fmt.Sprintf("%02d:%02d:%02d", v/3600, v/60%60, v%60) + fraction(render.FracDigits), true
	case clsEnum:
		return orig.Values[v], true
	}
	return pgKeyText(orig, v)
}

// fraction returns "" or "." followed by n zeros.
func fraction(n int) string {
	if n <= 0 {
		return ""
	}
	return "." + strings.Repeat("0", n)
}

// selectExpr reads key column c back as comparable text.
func selectExpr(c *column) string {
	if c.Class == clsBinary {
		return "HEX(" + quoteIdent(c.Name) + ")"
	}
	return "CAST(" + quoteIdent(c.Name) + " AS CHAR)"
}
