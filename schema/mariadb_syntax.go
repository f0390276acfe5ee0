package schema

import "strings"

// parserOnlyWords are MariaDB words the TiDB parser does not take where
// MariaDB does (a column's INVISIBLE). They say nothing about renames or
// dropped columns, so the analysis reads the clauses without them; the
// server gets the clauses exactly as written.
var parserOnlyWords = []string{"INVISIBLE"}

// forTheParser returns clauses with parserOnlyWords blanked out where they
// stand as words outside strings, quoted names and comments.
func forTheParser(clauses string) string {
	b := []byte(clauses)
	for i := 0; i < len(b); {
		switch c := b[i]; {
		case c == '\'' || c == '"' || c == '`':
			i = endOfMySQLQuoted(clauses, i+1, c)
		case c == '#' || c == '-' && strings.HasPrefix(clauses[i:], "-- "):
			i = endOfLine(clauses, i)
		case c == '/' && strings.HasPrefix(clauses[i:], "/*"):
			i = endOfBlockComment(clauses, i)
		case isWordStart(c) && !afterWordChar(clauses, i):
			j := i + 1
			for j < len(b) && isWordChar(b[j]) {
				j++
			}
			for _, w := range parserOnlyWords {
				if strings.EqualFold(clauses[i:j], w) {
					copy(b[i:j], strings.Repeat(" ", j-i))
				}
			}
			i = j
		default:
			i++
		}
	}
	return string(b)
}

// endOfMySQLQuoted returns the index after the quote that closes a string
// or name opened before i: a doubled quote continues it, and so does a
// backslash escape in a string.
func endOfMySQLQuoted(s string, i int, quote byte) int {
	for i < len(s) {
		switch {
		case s[i] == '\\' && quote != '`':
			i += 2
		case s[i] == quote && i+1 < len(s) && s[i+1] == quote:
			i += 2
		case s[i] == quote:
			return i + 1
		default:
			i++
		}
	}
	return len(s)
}
