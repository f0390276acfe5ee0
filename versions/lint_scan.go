package versions

import "strings"

// The lint reads statements with this small token scanner rather than a
// parser: it must read both engines' DDL, and it only needs the words that
// begin a statement and each ALTER TABLE action, the names after them and
// the comments (waivers). Strings and quoted names are one token each, so a
// keyword inside them never counts.

type tokenKind int

const (
	tokWord   tokenKind = iota // a bare word (keyword or name) or a number
	tokQuoted                  // a quoted name: `x` (MySQL), "x" (PostgreSQL)
	tokString                  // '...', E'...', $tag$...$tag$, MySQL "..."
	tokOther                   // punctuation or an operator, one byte at a time
)

type token struct {
	kind       tokenKind
	start, end int
	text       string
}

// is says whether t is the bare word w (lower case), case-insensitively.
func (t token) is(w string) bool { return t.kind == tokWord && strings.EqualFold(t.text, w) }

// punct says whether t is the punctuation c.
func (t token) punct(c string) bool { return t.kind == tokOther && t.text == c }

// scanned is a statement read by scan.
type scanned struct {
	src      string
	pg       bool // PostgreSQL's lexical rules, else MySQL's
	toks     []token
	comments []string
}

// scan splits a statement into tokens and comments. pg picks PostgreSQL's
// rules ("..." names, $$ strings, nested /* */, E'...'), else MySQL's
// (`...` names, "..." strings, backslash escapes, # comments, and the text
// of /*! */ executable comments read as statement text, as the server
// does). Unterminated strings, names and comments run to the end.
func scan(src string, pg bool) scanned {
	s := scanned{src: src, pg: pg}
	add := func(k tokenKind, i, j int) int {
		s.toks = append(s.toks, token{kind: k, start: i, end: j, text: src[i:j]})
		return j
	}
	exec := false // inside a MySQL executable comment
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
		case strings.HasPrefix(src[i:], "--") || c == '#' && !pg:
			j := lineEnd(src, i)
			s.comments = append(s.comments, src[i:j])
			i = j
		case !pg && (strings.HasPrefix(src[i:], "/*!") || strings.HasPrefix(src[i:], "/*M!")):
			i += strings.IndexByte(src[i:], '!') + 1
			for i < len(src) && src[i] >= '0' && src[i] <= '9' { // the version
				i++
			}
			exec = true
		case exec && strings.HasPrefix(src[i:], "*/"):
			i += 2
			exec = false
		case strings.HasPrefix(src[i:], "/*"):
			j := blockEnd(src, i, pg)
			s.comments = append(s.comments, src[i:j])
			i = j
		case c == '\'':
			i = add(tokString, i, quotedEnd(src, i, '\'', !pg))
		case c == '"' && pg || c == '`' && !pg:
			i = add(tokQuoted, i, quotedEnd(src, i, c, false))
		case c == '"':
			i = add(tokString, i, quotedEnd(src, i, c, true))
		case c == '$' && pg && dollarTag(src[i:]) != "":
			tag := dollarTag(src[i:])
			j := len(src)
			if e := strings.Index(src[i+len(tag):], tag); e >= 0 {
				j = i + len(tag) + e + len(tag)
			}
			i = add(tokString, i, j)
		case isWordByte(c):
			j := i + 1
			for j < len(src) && isWordByte(src[j]) {
				j++
			}
			if j < len(src) && src[j] == '\'' && j-i == 1 && (c == 'E' || c == 'e') && pg {
				i = add(tokString, i, quotedEnd(src, j, '\'', true)) // E'...': backslash escapes
				continue
			}
			i = add(tokWord, i, j)
		default:
			i = add(tokOther, i, i+1)
		}
	}
	return s
}

func isWordByte(c byte) bool {
	return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

func lineEnd(s string, i int) int {
	if n := strings.IndexByte(s[i:], '\n'); n >= 0 {
		return i + n
	}
	return len(s)
}

// blockEnd is the end of the /* */ comment at s[i]; PostgreSQL's nest.
func blockEnd(s string, i int, nest bool) int {
	depth := 0
	for i < len(s) {
		switch {
		case strings.HasPrefix(s[i:], "/*"):
			depth++
			i += 2
		case strings.HasPrefix(s[i:], "*/"):
			depth--
			i += 2
			if depth == 0 || !nest {
				return i
			}
		default:
			i++
		}
	}
	return len(s)
}

// quotedEnd is the end of the string or name opened by q at s[i]: a doubled
// quote is a quote, and with backslash so is an escaped one.
func quotedEnd(s string, i int, q byte, backslash bool) int {
	for i++; i < len(s); i++ {
		switch {
		case backslash && s[i] == '\\':
			i++
		case s[i] == q && i+1 < len(s) && s[i+1] == q:
			i++
		case s[i] == q:
			return i + 1
		}
	}
	return len(s)
}

// dollarTag is the $tag$ that opens a dollar-quoted string at s[0], "" if
// none does.
func dollarTag(s string) string {
	for j := 1; j < len(s); j++ {
		switch c := s[j]; {
		case c == '$':
			return s[:j+1]
		case c >= '0' && c <= '9' && j == 1, !isWordByte(c):
			return ""
		}
	}
	return ""
}

// ident is the name token t gives, as the server resolves it: a quoted one
// unquoted, a bare one folded to lower case on PostgreSQL; ok is false for
// a string, punctuation or a number.
func (s scanned) ident(t token) (string, bool) {
	switch {
	case t.kind == tokQuoted && len(t.text) >= 2:
		q := t.text[:1]
		return strings.ReplaceAll(t.text[1:len(t.text)-1], q+q, q), true
	case t.kind == tokWord && strings.Trim(t.text, "0123456789") != "":
		if s.pg {
			return strings.ToLower(t.text), true
		}
		return t.text, true
	}
	return "", false
}

// qualifiedName reads a [schema.]name at toks[i]: the schema ("" if none),
// the name, and the index after it; ok is false if no name is there.
func (s scanned) qualifiedName(toks []token, i int) (schema, name string, next int, ok bool) {
	if i >= len(toks) {
		return "", "", i, false
	}
	if name, ok = s.ident(toks[i]); !ok {
		return "", "", i, false
	}
	i++
	if i+1 < len(toks) && toks[i].punct(".") {
		if n, ok := s.ident(toks[i+1]); ok {
			return name, n, i + 2, true
		}
	}
	return "", name, i, true
}

// actions splits tokens at the commas outside parentheses: one slice per
// ALTER TABLE action, or per table of a DROP TABLE list.
func actions(toks []token) [][]token {
	var out [][]token
	depth, start := 0, 0
	for i, t := range toks {
		switch {
		case t.punct("("):
			depth++
		case t.punct(")"):
			depth = max(0, depth-1)
		case t.punct(",") && depth == 0:
			out = append(out, toks[start:i])
			start = i + 1
		}
	}
	return append(out, toks[start:])
}

// words says whether toks begin with the bare words ws.
func words(toks []token, ws ...string) bool {
	if len(toks) < len(ws) {
		return false
	}
	for i, w := range ws {
		if !toks[i].is(w) {
			return false
		}
	}
	return true
}

// has says whether toks hold the bare words ws in a row.
func has(toks []token, ws ...string) bool {
	for i := range toks {
		if words(toks[i:], ws...) {
			return true
		}
	}
	return false
}

// waived is the set of rules the statement's comments waive:
// "-- hotswap:allow rule[, rule...]" (MySQL also "# ...", any comment
// style works).
func (s scanned) waived() map[string]bool {
	out := map[string]bool{}
	for _, c := range s.comments {
		i := strings.Index(strings.ToLower(c), "hotswap:allow")
		if i < 0 {
			continue
		}
		rest := strings.TrimSuffix(c[i+len("hotswap:allow"):], "*/")
		for _, w := range strings.FieldsFunc(rest, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' }) {
			out[strings.ToLower(w)] = true
		}
	}
	return out
}
