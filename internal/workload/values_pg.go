package workload

import (
	"strconv"
	"strings"
	"time"
)

// pgValue returns a random value of a PostgreSQL-only class, nil for any
// other class.
func (g *gen) pgValue(c *column) any {
	switch c.Class {
	case clsPgBool:
		return g.r.IntN(2) == 0
	case clsPgDate, clsPgTimestamp, clsPgTimestamptz:
		return g.pgTimeValue(c.Class == clsPgDate)
	case clsPgUUID:
		return g.uuidValue()
	case clsPgArray:
		return g.arrayLiteral(c.Elem)
	}
	return nil
}

// mildValue keeps the numbers of a column that feeds a generated column
// (column.Mild, PostgreSQL only) small, so that an expression like a*2
// cannot overflow the generated column's type. ok is false for columns
// that get ordinary values.
func (g *gen) mildValue(c *column) (v any, ok bool) {
	if !c.Mild {
		return nil, false
	}
	switch c.Class {
	case clsInt:
		return g.r.Int64N(2001) - 1000, true
	case clsDecimal:
		return g.decimalValue(min(c.Precision-c.Scale, 3), c.Scale, false), true
	case clsFloat:
		return (2*g.r.Float64() - 1) * 1000, true
	}
	return nil, false
}

// Range of generated dates and timestamps: years 1..9999, which every
// PostgreSQL date/time type and Go's time.Time hold.
var (
	pgTimeMin = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	pgTimeMax = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC).Unix()
)

// pgTimeValue returns a time in UTC with microseconds (.999999 at the
// upper edge), or midnight for a date.
func (g *gen) pgTimeValue(date bool) time.Time {
	sec, atEdge := g.unixIn(pgTimeMin, pgTimeMax)
	t := time.Unix(sec, 0).UTC()
	switch {
	case date:
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	case atEdge && sec == pgTimeMax:
		return t.Add(999_999 * time.Microsecond)
	case !atEdge:
		return t.Add(time.Duration(g.r.Int64N(1_000_000)) * time.Microsecond)
	}
	return t
}

// arrayLiteral returns a one-dimensional array literal such as {1,NULL,-3}
// or {"a b","c\"d"}: pgx sends a Go string in text format, and the server
// parses it as the parameter's array type (pgx need not know that type).
func (g *gen) arrayLiteral(elem *column) string {
	parts := make([]string, g.r.IntN(6))
	for i := range parts {
		parts[i] = g.arrayElem(elem)
	}
	return "{" + strings.Join(parts, ",") + "}"
}

var arrayEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

func (g *gen) arrayElem(elem *column) string {
	switch {
	case g.r.IntN(10) == 0:
		return "NULL"
	case elem.Class == clsInt:
		return strconv.FormatInt(g.intValue(elem).(int64), 10) // signed: PostgreSQL has no unsigned types
	}
	return `"` + arrayEscaper.Replace(g.stringValue(elem, false)) + `"`
}
