package workload

import (
	"fmt"
	"time"
)

// Ranges of the temporal types. TIMESTAMP keeps a day of margin at both
// ends so that any session time zone stays inside 1970..2038 UTC.
var (
	dateMin = time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	dateMax = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC).Unix()
	tsMin   = time.Date(1970, 1, 2, 0, 0, 0, 0, time.UTC).Unix()
	tsMax   = time.Date(2038, 1, 18, 0, 0, 0, 0, time.UTC).Unix()
)

// unixIn picks a second in [lo, hi], at either limit on an edge draw.
func (g *gen) unixIn(lo, hi int64) (sec int64, atEdge bool) {
	if g.edge() {
		if g.r.IntN(2) == 0 {
			return lo, true
		}
		return hi, true
	}
	return lo + g.r.Int64N(hi-lo+1), false
}

// frac returns "" or "." + p digits (all 9s on an edge, like .999999).
func (g *gen) frac(p int, atEdge bool) string {
	if p <= 0 {
		return ""
	}
	if atEdge {
		return "." + "999999"[:p]
	}
	return "." + g.digits(int64(p))
}

func (g *gen) dateValue() string {
	sec, _ := g.unixIn(dateMin, dateMax)
	return time.Unix(sec, 0).UTC().Format(time.DateOnly)
}

func (g *gen) datetimeValue(p int) string {
	sec, atEdge := g.unixIn(dateMin, dateMax)
	return time.Unix(sec, 0).UTC().Format(time.DateTime) + g.frac(p, atEdge && sec == dateMax)
}

func (g *gen) timestampValue(p int) string {
	sec, atEdge := g.unixIn(tsMin, tsMax)
	return time.Unix(sec, 0).UTC().Format(time.DateTime) + g.frac(p, atEdge && sec == tsMax)
}

// timeValue covers TIME's full range -838:59:59..838:59:59; fractions only
// inside it, because 838:59:59.5 is out of range.
func (g *gen) timeValue(p int) string {
	sec, _ := g.unixIn(-keyMaxTime, keyMaxTime)
	sign := ""
	if sec < 0 {
		sign, sec = "-", -sec
	}
	s := fmt.Sprintf("%s%02d:%02d:%02d", sign, sec/3600, sec/60%60, sec%60)
	if sec < keyMaxTime {
		s += g.frac(p, false)
	}
	return s
}

func (g *gen) yearValue() int64 {
	y, _ := g.unixIn(1901, 2155)
	return y
}
