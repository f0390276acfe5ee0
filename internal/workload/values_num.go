package workload

import (
	"math"
	"strings"
)

var intBits = map[string]uint{"tinyint": 8, "smallint": 16, "mediumint": 24, "int": 32, "bigint": 64}

// intRange returns the limits of an integer column.
func intRange(c *column) (lo int64, hi uint64) {
	bits := intBits[c.DataType]
	switch {
	case c.Unsigned && bits == 64:
		return 0, math.MaxUint64
	case c.Unsigned:
		return 0, 1<<bits - 1
	}
	return -1 << (bits - 1), 1<<(bits-1) - 1
}

// intValue returns int64 for signed and uint64 for unsigned columns, so
// BIGINT UNSIGNED values above MaxInt64 are bound exactly.
func (g *gen) intValue(c *column) any {
	lo, hi := intRange(c)
	if c.Unsigned {
		return g.uintValue(hi)
	}
	if g.edge() {
		return []int64{lo, int64(hi), 0, -1, 1}[g.r.IntN(5)]
	}
	if g.r.IntN(2) == 0 { // small values are the common case in real data
		return max(lo, min(int64(hi), g.r.Int64N(2001)-1000))
	}
	span := hi - uint64(lo) // fits: hi - lo < 2^64 for all widths
	if span == math.MaxUint64 {
		return int64(g.r.Uint64())
	}
	return lo + int64(g.r.Uint64N(span+1))
}

func (g *gen) uintValue(hi uint64) uint64 {
	if g.edge() {
		return []uint64{0, hi, 1}[g.r.IntN(3)]
	}
	if hi == math.MaxUint64 {
		return g.r.Uint64()
	}
	return g.r.Uint64N(hi + 1)
}

// decimalValue returns a DECIMAL literal with at most intDigits digits
// before and scale digits after the point; edges are +-99..9.99..9.
func (g *gen) decimalValue(intDigits, scale int64, unsigned bool) string {
	var ip, fp string
	if g.edge() {
		ip, fp = strings.Repeat("9", int(intDigits)), strings.Repeat("9", int(scale))
	} else {
		ip = g.digits(g.r.Int64N(intDigits + 1))
		fp = g.digits(g.r.Int64N(scale + 1))
	}
	if ip == "" {
		ip = "0"
	}
	s := ip
	if fp != "" {
		s += "." + fp
	}
	if !unsigned && g.r.IntN(2) == 0 {
		s = "-" + s
	}
	return s
}

func (g *gen) digits(n int64) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + g.r.IntN(10))
	}
	return string(b)
}

// Limits safely inside FLOAT/DOUBLE range: the exact FLOAT maximum can
// round above the limit on its way through a double and be rejected.
var (
	floatEdges  = []float64{3.4e38, 1.1754944e-38, 1.5, 0}
	doubleEdges = []float64{math.MaxFloat64, 2.2250738585072014e-308, 1.5, 0}
)

func (g *gen) floatValue(c *column) float64 {
	single := c.DataType == "float"
	digits, exp, edges := int64(15), 300, doubleEdges
	if single {
		digits, exp, edges = 6, 35, floatEdges
	}
	var v float64
	switch {
	case c.Scale >= 0: // FLOAT(M,D): integers stay exact, so never round out of range
		v = float64(g.r.Int64N(pow10Minus1(min(c.Precision-c.Scale, digits)) + 1))
	case g.edge():
		v = edges[g.r.IntN(len(edges))]
	default:
		v = (1 + 9*g.r.Float64()) * math.Pow10(g.r.IntN(2*exp+1)-exp)
	}
	if !c.Unsigned && g.r.IntN(2) == 0 {
		v = -v
	}
	return v
}

func (g *gen) bitValue(c *column) uint64 {
	mask := uint64(math.MaxUint64)
	if c.Precision < 64 {
		mask = 1<<uint(c.Precision) - 1
	}
	if g.edge() {
		return []uint64{0, mask}[g.r.IntN(2)]
	}
	return g.r.Uint64() & mask
}
