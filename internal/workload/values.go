package workload

import (
	"fmt"
	"math/rand/v2"
)

// gen produces random column values. Each worker has its own gen, seeded
// from Options.Seed, so a run is reproducible up to scheduling.
type gen struct {
	r        *rand.Rand
	bigRatio float64 // probability of a big value for large BLOB/TEXT/JSON
	// Big TEXT/BLOB values are bigMin + [0, bigSpan) bytes: over 1 MB on
	// MySQL, 8 kB..1 MB on PostgreSQL (TOASTed out of line).
	bigMin, bigSpan int64
}

func newGen(seed int64, stream uint64, bigRatio float64) *gen {
	return &gen{r: rand.New(rand.NewPCG(uint64(seed), stream)), bigRatio: bigRatio,
		bigMin: bigText, bigSpan: bigText / 2}
}

// edge reports whether to pick a value at the type's limits; limits are
// where conversions and copies between old and new schema tend to break.
func (g *gen) edge() bool { return g.r.IntN(5) == 0 }

// chance reports true with probability p.
func (g *gen) chance(p float64) bool { return p > 0 && g.r.Float64() < p }

// value returns a random value for c: nil (NULL) with ~10% probability if
// c is nullable. allowBig permits values over 1 MB.
func (g *gen) value(c *column, allowBig bool) any {
	if c.Nullable && g.r.IntN(10) == 0 {
		return nil
	}
	if v, ok := g.mildValue(c); ok {
		return v
	}
	switch c.Class {
	case clsInt:
		return g.intValue(c)
	case clsDecimal:
		return g.decimalValue(c.Precision-c.Scale, c.Scale, c.Unsigned)
	case clsFloat:
		return g.floatValue(c)
	case clsBit:
		return g.bitValue(c)
	case clsString:
		return g.stringValue(c, allowBig)
	case clsBinary:
		return g.binaryValue(c, allowBig)
	case clsJSON:
		return g.jsonValue(c, allowBig)
	}
	return g.otherValue(c)
}

// otherValue covers temporal, ENUM/SET and MariaDB's UUID/INET types.
func (g *gen) otherValue(c *column) any {
	switch c.Class {
	case clsDate:
		return g.dateValue()
	case clsDatetime:
		return g.datetimeValue(c.FracDigits)
	case clsTimestamp:
		return g.timestampValue(c.FracDigits)
	case clsTime:
		return g.timeValue(c.FracDigits)
	case clsYear:
		return g.yearValue()
	case clsEnum:
		return c.Values[g.r.IntN(len(c.Values))]
	case clsSet:
		return g.setValue(c.Values)
	case clsUUID:
		return g.uuidValue()
	case clsInet4:
		return fmt.Sprintf("%d.%d.%d.%d", g.r.IntN(256), g.r.IntN(256), g.r.IntN(256), g.r.IntN(256))
	case clsInet6:
		return g.inet6Value()
	}
	return g.pgValue(c) // nil for unsupported columns, which are never written; see newPlan
}

func (g *gen) uuidValue() string {
	b := make([]byte, 16)
	for i := range b {
		b[i] = byte(g.r.Uint32())
	}
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func (g *gen) inet6Value() string {
	s := fmt.Sprintf("%x", g.r.IntN(0x10000))
	for range 7 {
		s += fmt.Sprintf(":%x", g.r.IntN(0x10000))
	}
	return s
}

func (g *gen) setValue(members []string) string {
	var out string
	for _, m := range members {
		if g.r.IntN(2) == 0 {
			continue
		}
		if out != "" {
			out += ","
		}
		out += m
	}
	return out
}
