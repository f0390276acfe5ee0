package mysql

import (
	"strings"
)

// Quote quotes an identifier with backticks.
func Quote(name string) string {
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = Quote(n)
	}
	return strings.Join(q, ", ")
}

func qualified(schema, table string) string { return Quote(schema) + "." + Quote(table) }

// afterKey is the predicate "key > vals" in key order, written as an OR of
// prefix equalities so the range optimizer uses the index for any key width.
func afterKey(cols []string, alias string) string {
	return lexCompare(cols, alias, ">", ">")
}

// upToKey is the predicate "key <= vals".
func upToKey(cols []string, alias string) string {
	return lexCompare(cols, alias, "<", "<=")
}

// lexArgs repeats the key values in the order lexCompare uses them.
func lexArgs(vals []any) []any {
	var out []any
	for i := range vals {
		out = append(out, vals[:i+1]...)
	}
	return out
}

func lexCompare(cols []string, alias, op, lastOp string) string {
	var ors []string
	for i := range cols {
		var ands []string
		for j := 0; j < i; j++ {
			ands = append(ands, col(alias, cols[j])+" = ?")
		}
		o := op
		if i == len(cols)-1 {
			o = lastOp
		}
		ands = append(ands, col(alias, cols[i])+" "+o+" ?")
		ors = append(ors, "("+strings.Join(ands, " AND ")+")")
	}
	return "(" + strings.Join(ors, " OR ") + ")"
}

// keyIn is the predicate "key IN (k1, k2, ...)" for n keys.
func keyIn(cols []string, alias string, n int) string {
	if len(cols) == 1 {
		return col(alias, cols[0]) + " IN (" + strings.TrimSuffix(strings.Repeat("?,", n), ",") + ")"
	}
	var one []string
	for _, c := range cols {
		one = append(one, col(alias, c)+" = ?")
	}
	term := "(" + strings.Join(one, " AND ") + ")"
	terms := make([]string, n)
	for i := range terms {
		terms[i] = term
	}
	return "(" + strings.Join(terms, " OR ") + ")"
}

func flatten(keys [][]any) []any {
	var out []any
	for _, k := range keys {
		out = append(out, k...)
	}
	return out
}

func col(alias, name string) string {
	if alias == "" {
		return Quote(name)
	}
	return alias + "." + Quote(name)
}

// quoteString is s as a string literal, quotes and backslashes escaped.
func quoteString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(s) + "'"
}
