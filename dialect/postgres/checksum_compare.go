package postgres

import (
	"strings"

	"github.com/hotswap/hotswap/schema"
)

// sameValue is the NULL-safe comparison of pair i's source value (source
// column s.source, or its USING expression) with shadow column n.target, true when the copy would write exactly n's value:
//   - strings compare as their bytes (text, COLLATE "C"): a case-insensitive
//     type (citext) or collation would hide a changed value;
//   - types whose "=" is missing or is not identity (json, xml, geometric
//     types: box "=" compares areas) compare their text forms;
//   - anything else compares with "=", the source cast to the shadow's type
//     when the types differ: the cast is what the copy's insert did, so a
//     rounding the ALTER asked for (numeric scale, float4, timestamp
//     precision) is not a difference, and an INT to BIGINT change is none.
func (r *Rows) sameValue(i int, p schema.ColumnPair) string {
	a, st := r.compareOperand(r.sourceOperand("s", i, p), p)
	dt, b := r.DstTypes[p.Target], rowsCol("n", p.Target)
	switch {
	case rowsIsText(st) && rowsIsText(dt):
		return a + `::text COLLATE "C" IS NOT DISTINCT FROM ` + b + `::text COLLATE "C"`
	case dt != "" && st != dt:
		a += "::" + dt
	}
	if rowsNoIdentityEquality(dt) {
		return a + "::text IS NOT DISTINCT FROM " + b + "::text"
	}
	return a + " IS NOT DISTINCT FROM " + b
}

// compareOperand is the source side of p as the checksum compares it, and
// its type: the source column with its own type, or a USING expression's
// value cast to the shadow's type, as the copy's insert did (its own type is
// not known here).
func (r *Rows) compareOperand(a string, p schema.ColumnPair) (string, string) {
	if _, ok := r.Using[p.Target]; ok {
		if dt := r.DstTypes[p.Target]; dt != "" {
			return "(" + a + ")::" + dt, dt
		}
		return a, ""
	}
	return a, r.SrcTypes[p.Source]
}

// rowsIsText tells a character string type from its format_type() text.
func rowsIsText(typ string) bool {
	switch {
	case typ == "text", typ == "name", typ == "citext", strings.HasSuffix(typ, ".citext"):
		return true
	case strings.HasPrefix(typ, "character"): // character varying(n), character(n)
		return !strings.HasSuffix(typ, "[]")
	}
	return false
}

// rowsNoIdentityEquality tells the types (and arrays of them) without an "="
// that means "the same value".
func rowsNoIdentityEquality(typ string) bool {
	switch strings.TrimRight(typ, "[]") {
	case "json", "xml", "point", "line", "lseg", "box", "path", "polygon", "circle":
		return true
	}
	return false
}
