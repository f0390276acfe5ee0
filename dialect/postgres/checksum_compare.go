package postgres

import "strings"

// sameValue is the NULL-safe comparison of source column s.source with shadow
// column n.target, true when the copy would write exactly n's value:
//   - strings compare as their bytes (text, COLLATE "C"): a case-insensitive
//     type (citext) or collation would hide a changed value;
//   - types whose "=" is missing or is not identity (json, xml, geometric
//     types: box "=" compares areas) compare their text forms;
//   - anything else compares with "=", the source cast to the shadow's type
//     when the types differ: the cast is what the copy's insert did, so a
//     rounding the ALTER asked for (numeric scale, float4, timestamp
//     precision) is not a difference, and an INT to BIGINT change is none.
func (r *Rows) sameValue(source, target string) string {
	st, dt := r.SrcTypes[source], r.DstTypes[target]
	a, b := rowsCol("s", source), rowsCol("n", target)
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
