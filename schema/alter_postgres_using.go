package schema

import (
	"fmt"
	"strings"
)

// PGTypeUsing is one ALTER COLUMN ... TYPE ... USING subcommand: the column
// converted and the expression that computes its new value from the row as
// it was (column names are the table's, before the ALTER).
type PGTypeUsing struct {
	Column string // as the server resolves it (unquoted names folded)
	Expr   string // the text after USING, as written
}

// PostgresTypeUsings lists the ALTER [COLUMN] c [SET DATA] TYPE t ... USING
// expr subcommands of PostgreSQL ALTER clauses. A subcommand with USING
// after TYPE (what PostgresTypeUsing reports) whose start is not that shape
// is an error: a USING hotswap cannot place is refused, never ignored.
func PostgresTypeUsings(clauses string) ([]PGTypeUsing, error) {
	var out []PGTypeUsing
	for _, sub := range PGSubcommands(PGTokens(clauses)) {
		using := pgUsingAt(sub)
		if using < 0 {
			continue
		}
		col, ok := pgAlterColumnName(sub[:using])
		if !ok {
			return nil, fmt.Errorf("cannot tell which column the USING of %q converts", pgTokensText(clauses, sub))
		}
		expr := strings.TrimSpace(clauses[sub[using].End:sub[len(sub)-1].End])
		if expr == "" {
			return nil, fmt.Errorf("USING without an expression in %q", pgTokensText(clauses, sub))
		}
		out = append(out, PGTypeUsing{Column: col, Expr: expr})
	}
	return out, nil
}

// pgUsingAt is the index of the first word USING after a word TYPE, or -1.
func pgUsingAt(sub []PGToken) int {
	sawType := false
	for i, t := range sub {
		switch {
		case t.Is("type"):
			sawType = true
		case t.Is("using") && sawType:
			return i
		}
	}
	return -1
}

// pgAlterColumnName reads "ALTER [COLUMN] name [SET DATA] TYPE ...".
func pgAlterColumnName(sub []PGToken) (string, bool) {
	if len(sub) < 3 || !sub[0].Is("alter") {
		return "", false
	}
	i := 1
	if sub[i].Is("column") && len(sub) > 3 && !sub[2].Is("type") && !sub[2].Is("set") {
		i++ // ALTER COLUMN name; a column named "column" is ALTER column TYPE
	}
	name, ok := sub[i].Ident()
	if !ok {
		return "", false
	}
	rest := sub[i+1:]
	if len(rest) >= 3 && rest[0].Is("set") && rest[1].Is("data") {
		rest = rest[2:]
	}
	return name, len(rest) > 0 && rest[0].Is("type")
}

func pgTokensText(s string, toks []PGToken) string {
	if len(toks) == 0 {
		return ""
	}
	return s[toks[0].Start:toks[len(toks)-1].End]
}

// PGUsingQualifiers returns the indexes in toks (PGTokens of ALTER clauses)
// of the "table" and "." tokens that qualify a column with the table's name
// inside a USING expression ("USING length(t.v)"): the server resolves them
// against the table it alters, which hotswap's shadow and the copy's reads
// do not name alike, and the column's bare name means the same there.
func PGUsingQualifiers(toks []PGToken, table string) map[int]bool {
	out := map[int]bool{}
	depth := 0
	sawType, using := false, false
	for i, t := range toks {
		switch {
		case t.Kind == PGOther && (t.Text == "(" || t.Text == "["):
			depth++
		case t.Kind == PGOther && (t.Text == ")" || t.Text == "]"):
			depth = max(0, depth-1)
		case t.Kind == PGOther && t.Text == "," && depth == 0:
			sawType, using = false, false
		case t.Is("type") && !using:
			sawType = true
		case t.Is("using") && sawType:
			using = true
		case using && i+2 < len(toks) && toks[i+1].Text == "." && (i == 0 || toks[i-1].Text != "."):
			if name, ok := t.Ident(); ok && name == table {
				if _, col := toks[i+2].Ident(); col {
					out[i], out[i+1] = true, true
				}
			}
		}
	}
	return out
}

// PGUnqualifyUsing removes the table's name where it qualifies a column in
// the USING expressions of ALTER clauses (see PGUsingQualifiers).
func PGUnqualifyUsing(clauses, table string) string {
	toks := PGTokens(clauses)
	drop := PGUsingQualifiers(toks, table)
	if len(drop) == 0 {
		return clauses
	}
	var b strings.Builder
	last := 0
	for i, t := range toks {
		if drop[i] {
			b.WriteString(clauses[last:t.Start])
			last = t.End
		}
	}
	b.WriteString(clauses[last:])
	return b.String()
}
