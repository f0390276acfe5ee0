package schema

import "strings"

// PostgresTypeUsing says whether PostgreSQL ALTER clauses convert a column
// with ALTER COLUMN ... TYPE ... USING: a subcommand (PGSubcommands: split at
// commas outside parentheses) holding the word TYPE and, after it, the word
// USING. Strings, quoted identifiers and comments are tokens of their own or
// skipped (PGTokens), so neither "numeric(10,2)" nor a comment hides the
// USING, and a "using" in a string or a name does not count. A word TYPE that
// is a column's name can make it say true wrongly: a refusal, never a miss.
func PostgresTypeUsing(clauses string) bool {
	for _, sub := range PGSubcommands(PGTokens(clauses)) {
		sawType := false
		for _, t := range sub {
			switch {
			case t.Is("type"):
				sawType = true
			case t.Is("using") && sawType:
				return true
			}
		}
	}
	return false
}

func isWordStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func isWordChar(c byte) bool { return isWordStart(c) || c >= '0' && c <= '9' || c == '$' }

// afterWordChar says whether s[i] continues a word or a number ("a$1", "e'").
func afterWordChar(s string, i int) bool { return i > 0 && isWordChar(s[i-1]) }

// isEscapeString says whether the quote at s[i] opens an E'...' string
// (backslash escapes): an E or e right before it that is a word of its own.
func isEscapeString(s string, i int) bool {
	return i > 0 && (s[i-1] == 'E' || s[i-1] == 'e') && !afterWordChar(s, i-1)
}

// dollarTag returns the "$tag$" starting at s[i], if one does.
func dollarTag(s string, i int) (string, bool) {
	j := i + 1
	for j < len(s) && s[j] != '$' {
		if !isWordChar(s[j]) || s[j] >= '0' && s[j] <= '9' && j == i+1 {
			return "", false
		}
		j++
	}
	if j >= len(s) {
		return "", false
	}
	return s[i : j+1], true
}

func endOfLine(s string, i int) int {
	if n := strings.IndexByte(s[i:], '\n'); n >= 0 {
		return i + n + 1
	}
	return len(s)
}

// endOfBlockComment skips a /* */ comment, which nests in PostgreSQL.
func endOfBlockComment(s string, i int) int {
	depth := 0
	for i < len(s) {
		switch {
		case strings.HasPrefix(s[i:], "/*"):
			depth++
			i += 2
		case strings.HasPrefix(s[i:], "*/"):
			depth--
			i += 2
			if depth == 0 {
				return i
			}
		default:
			i++
		}
	}
	return len(s)
}

// endOfString skips to after the closing quote of a string whose content
// starts at s[i]: a doubled quote is a quote, and so is a backslashed one in
// an escape string.
func endOfString(s string, i int, backslash bool) int {
	for i < len(s) {
		switch {
		case backslash && s[i] == '\\':
			i += 2
		case s[i] == '\'' && i+1 < len(s) && s[i+1] == '\'':
			i += 2
		case s[i] == '\'':
			return i + 1
		default:
			i++
		}
	}
	return len(s)
}

// endOfQuoted skips a quoted identifier whose content starts at s[i].
func endOfQuoted(s string, i int, q byte) int {
	for i < len(s) {
		if s[i] == q {
			if i+1 < len(s) && s[i+1] == q {
				i += 2
				continue
			}
			return i + 1
		}
		i++
	}
	return len(s)
}
