package schema

import "strings"

// PGTokenKind tells the tokens of PostgreSQL ALTER clauses apart.
type PGTokenKind int

const (
	PGWord   PGTokenKind = iota // a bare word: keyword or unquoted identifier
	PGQuoted                    // a "quoted identifier"
	PGString                    // '...', E'...', $tag$...$tag$
	PGOther                     // a number, an operator or punctuation, one byte at a time
)

// PGToken is one token of PostgreSQL ALTER clauses: s[Start:End] of the text
// given to PGTokens. Comments and white space are not tokens.
type PGToken struct {
	Kind       PGTokenKind
	Start, End int
	Text       string
}

// Is says whether the token is the bare word w, case-insensitively.
func (t PGToken) Is(w string) bool { return t.Kind == PGWord && strings.EqualFold(t.Text, w) }

// Ident is the identifier the token names as the server resolves it: an
// unquoted word folded to lower case, a quoted one as written (doubled
// quotes undone); ok is false for any other token.
func (t PGToken) Ident() (name string, ok bool) {
	switch t.Kind {
	case PGWord:
		return strings.ToLower(t.Text), true
	case PGQuoted:
		return strings.ReplaceAll(t.Text[1:len(t.Text)-1], `""`, `"`), true
	}
	return "", false
}

// PGTokens splits PostgreSQL ALTER clauses into tokens: strings ('...',
// E'...', $tag$...$tag$) and quoted identifiers are one token each; comments
// and white space are skipped.
// Unterminated strings, identifiers and comments run to the end of s.
func PGTokens(s string) []PGToken {
	var out []PGToken
	add := func(kind PGTokenKind, i, j int) {
		out = append(out, PGToken{Kind: kind, Start: i, End: j, Text: s[i:j]})
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			i++
		case c == '-' && strings.HasPrefix(s[i:], "--"):
			i = endOfLine(s, i)
		case c == '/' && strings.HasPrefix(s[i:], "/*"):
			i = endOfBlockComment(s, i)
		case c == '\'':
			start := i
			if isEscapeString(s, i) && len(out) > 0 && out[len(out)-1].End == i {
				start = out[len(out)-1].Start // the E belongs to the string
				out = out[:len(out)-1]
			}
			j := endOfString(s, i+1, isEscapeString(s, i))
			add(PGString, start, j)
			i = j
		case c == '"':
			j := endOfQuoted(s, i+1, '"')
			add(PGQuoted, i, j)
			i = j
		case c == '$' && !afterWordChar(s, i):
			tag, ok := dollarTag(s, i)
			if !ok {
				add(PGOther, i, i+1)
				i++
				continue
			}
			j := len(s)
			if end := strings.Index(s[i+len(tag):], tag); end >= 0 {
				j = i + len(tag) + end + len(tag)
			}
			add(PGString, i, j)
			i = j
		case isWordStart(c):
			j := i + 1
			for j < len(s) && isWordChar(s[j]) {
				j++
			}
			add(PGWord, i, j)
			i = j
		default:
			add(PGOther, i, i+1)
			i++
		}
	}
	return out
}

// PGSubcommands splits tokens at the commas outside parentheses: one slice
// per ALTER TABLE subcommand.
func PGSubcommands(toks []PGToken) [][]PGToken {
	var out [][]PGToken
	depth, start := 0, 0
	for i, t := range toks {
		if t.Kind != PGOther {
			continue
		}
		switch t.Text {
		case "(", "[":
			depth++
		case ")", "]":
			depth = max(0, depth-1)
		case ",":
			if depth == 0 {
				out = append(out, toks[start:i])
				start = i + 1
			}
		}
	}
	return append(out, toks[start:])
}
