package postgres

import (
	"fmt"
	"strings"
)

// Statement is one statement of a migration file: its text, trimmed and
// without the ";" that ends it, and the 1-based line of the file where that
// text starts, for messages.
type Statement struct {
	SQL  string
	Line int
}

// SplitStatements splits a migration file into statements where psql would,
// so that a file hotswap runs behaves as it does under "psql -f file":
//
//   - A statement ends at ";" outside '...' strings (doubled quotes; a
//     backslash is an ordinary character, standard_conforming_strings being
//     on, the default since 9.1), E'...' strings (backslash escapes too),
//     "..." names, $$...$$ and $tag$...$tag$ dollar quotes (a tag is letters,
//     digits and "_", not starting with a digit, so $1 is a parameter, and a
//     "$" inside a word such as a$b is part of it) and comments: "--" to the
//     end of the line and /* ... */, which nest.
//   - As in psql, a ";" inside parentheses does not end the statement (CREATE
//     RULE ... DO ALSO (...; ...)), nor does one inside the BEGIN ... END of
//     a CREATE [OR REPLACE] FUNCTION | PROCEDURE with a SQL-standard body
//     (BEGIN ATOMIC ...; END), tracked by psql's own heuristic.
//   - A backslash outside strings is a psql meta-command (\connect, \set,
//     \i ...), which hotswap does not run: an error.
//
// Comments stay in the statements' text, where a later check reads waivers
// such as "-- hotswap:allow drop-column":
//   - Comments before a statement's first token belong to the statement
//     that follows them; its text, and Line, start at the first comment.
//   - A "--" comment on the same line right after a ";" belongs to the
//     statement that ";" ended: its text gets a space and the comment, so
//     "ALTER TABLE t DROP COLUMN c; -- hotswap:allow drop-column" keeps its
//     waiver.
//   - Comments and white space alone, between statements or at the end, are
//     no statement; an empty statement (a ";" after nothing but comments) is
//     dropped with its comments.
//
// A last statement without ";" is a statement. An unterminated string,
// name, dollar quote or comment is an error naming the line where it
// starts, and so is a parenthesis or a function body's BEGIN still open at
// the end, where psql would send the rest of the file as one statement.
func SplitStatements(sql string) ([]Statement, error) {
	s := &splitter{src: sql, start: -1, lines: lineCounter{src: sql}}
	if err := s.run(); err != nil {
		return nil, err
	}
	return s.out, nil
}

type splitter struct {
	src   string
	out   []Statement
	lines lineCounter

	start int  // where the pending statement's text starts, -1 before any
	text  bool // the pending statement holds more than comments

	parens, parenAt int // open parentheses, and where the outermost opened
	begins, beginAt int // open BEGIN ... END of a function body, likewise
	// psql's CREATE [OR REPLACE] FUNCTION | PROCEDURE detection: the
	// initials of the statement's first four words among those five, and
	// how many words the statement has had
	initials [4]byte
	words    int
}

func (s *splitter) run() error {
	src := s.src
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == ';' && s.parens == 0 && s.begins == 0:
			ended := s.end(i)
			i++
			if ended {
				i = s.trailingComment(i)
			}
		case c == '(':
			if s.parens == 0 {
				s.parenAt = i
			}
			s.parens++
			s.mark(i, true)
			i++
		case c == ')':
			s.parens = max(0, s.parens-1)
			s.mark(i, true)
			i++
		case strings.HasPrefix(src[i:], "--"):
			s.mark(i, false)
			i = lineEnd(src, i)
		case strings.HasPrefix(src[i:], "/*"):
			j, err := s.blockComment(i)
			if err != nil {
				return err
			}
			s.mark(i, false)
			i = j
		case c == '\'':
			j, err := s.quoted(i, i, false)
			if err != nil {
				return err
			}
			s.mark(i, true)
			i = j
		case c == '"':
			j, err := s.quoted(i, i, false)
			if err != nil {
				return err
			}
			s.mark(i, true)
			i = j
		case c == '$':
			j, err := s.dollar(i)
			if err != nil {
				return err
			}
			s.mark(i, true)
			i = j
		case c == '\\':
			return fmt.Errorf("line %d: %s outside a string is a psql meta-command, which hotswap does not run: keep to SQL statements ended by ;", s.lines.at(i), metaCommand(src[i:]))
		case isIdentStart(c):
			j, err := s.word(i)
			if err != nil {
				return err
			}
			s.mark(i, true)
			i = j
		case c >= '0' && c <= '9':
			// a number, and any letters stuck to it (1e5, 0x1F, 1abc), which
			// are no word of their own
			j := i + 1
			for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '_') {
				j++
			}
			if j < len(src) && isIdentStart(src[j]) {
				for j < len(src) && isIdentCont(src[j]) {
					j++
				}
			}
			s.mark(i, true)
			i = j
		case isSplitSpace(c):
			i++
		default:
			s.mark(i, true)
			i++
		}
	}
	switch {
	case s.parens > 0:
		return fmt.Errorf("line %d: ( is never closed: psql would send the rest of the file as one statement; close it with )", s.lines.at(s.parenAt))
	case s.begins > 0:
		return fmt.Errorf("line %d: BEGIN of a function body is never closed by END: psql would send the rest of the file as one statement", s.lines.at(s.beginAt))
	}
	s.end(len(src))
	return nil
}

// mark records text at i: a comment (text false) or statement text.
func (s *splitter) mark(i int, text bool) {
	if s.start < 0 {
		s.start = i
	}
	s.text = s.text || text
}

// end ends the pending statement at i, where its ";" (or the input) ends
// it, and says whether that made a statement: comments alone do not.
func (s *splitter) end(i int) bool {
	ended := s.text
	if s.text {
		body := strings.TrimRight(s.src[s.start:i], splitSpace)
		s.out = append(s.out, Statement{SQL: body, Line: s.lines.at(s.start)})
	}
	s.start, s.text = -1, false
	s.initials, s.words = [4]byte{}, 0
	return ended
}

// trailingComment takes a "--" comment that follows a statement's ";" on
// the same line into that statement, and returns where reading goes on.
func (s *splitter) trailingComment(i int) int {
	j := i
	for j < len(s.src) && (s.src[j] == ' ' || s.src[j] == '\t') {
		j++
	}
	if !strings.HasPrefix(s.src[j:], "--") {
		return i
	}
	k := lineEnd(s.src, j)
	last := &s.out[len(s.out)-1]
	last.SQL += " " + strings.TrimRight(s.src[j:k], splitSpace)
	return k
}

// word reads the word at i, or the string or name a one-letter prefix opens
// (E'...', B'...', X'...', N'...', U&'...', U&"..."), and follows psql's
// tracking of function bodies.
func (s *splitter) word(i int) (int, error) {
	src := s.src
	j := i + 1
	for j < len(src) && isIdentCont(src[j]) {
		j++
	}
	if j == i+1 && j < len(src) {
		switch {
		case src[j] == '\'' && strings.IndexByte("eEbBxXnN", src[i]) >= 0:
			return s.quoted(i, j, src[i] == 'e' || src[i] == 'E')
		case (src[i] == 'u' || src[i] == 'U') && j+1 < len(src) && src[j] == '&' && (src[j+1] == '\'' || src[j+1] == '"'):
			return s.quoted(i, j+1, false)
		}
	}
	s.trackBody(asciiLower(src[i:j]), i)
	return j, nil
}

// trackBody is psql's heuristic for BEGIN ... END bodies: in a statement
// whose words begin CREATE [OR REPLACE] FUNCTION | PROCEDURE, outside
// parentheses, BEGIN opens a block, CASE does inside one, and END closes
// one.
func (s *splitter) trackBody(w string, at int) {
	switch w {
	case "create", "function", "procedure", "or", "replace":
		if s.words < len(s.initials) {
			s.initials[s.words] = w[0]
		}
	}
	s.words++
	in := s.initials
	if in[0] != 'c' || !(in[1] == 'f' || in[1] == 'p' || in[1] == 'o' && in[2] == 'r' && (in[3] == 'f' || in[3] == 'p')) || s.parens > 0 {
		return
	}
	switch {
	case w == "begin" || w == "case" && s.begins > 0:
		if s.begins == 0 {
			s.beginAt = at
		}
		s.begins++
	case w == "end" && s.begins > 0:
		s.begins--
	}
}

// quoted returns the index after the quote that closes the string or name
// whose opening quote is at q (at is where its prefix starts, for
// messages): a doubled quote continues it, and so does a backslash escape
// in an E'...' string.
func (s *splitter) quoted(at, q int, backslash bool) (int, error) {
	src, c := s.src, s.src[q]
	for j := q + 1; j < len(src); j++ {
		switch {
		case backslash && src[j] == '\\':
			j++
		case src[j] == c && j+1 < len(src) && src[j+1] == c:
			j++
		case src[j] == c:
			return j + 1, nil
		}
	}
	what := "string " + src[at:q] + "'...'"
	if c == '"' {
		what = `quoted name ` + src[at:q] + `"..."`
	}
	return 0, fmt.Errorf("line %d: unterminated %s (started here): close it with %c, and write a %c inside it as %c%c", s.lines.at(at), what, c, c, c, c)
}

// dollar reads a dollar quote at i to after its closing tag, or passes the
// "$" of a parameter ($1) or of anything else.
func (s *splitter) dollar(i int) (int, error) {
	tag, ok := dollarTag(s.src, i)
	if !ok {
		return i + 1, nil
	}
	body := i + len(tag)
	end := strings.Index(s.src[body:], tag)
	if end < 0 {
		return 0, fmt.Errorf("line %d: unterminated dollar-quoted string %s (started here): close it with %s", s.lines.at(i), tag, tag)
	}
	return body + end + len(tag), nil
}

// dollarTag returns the "$tag$" opening a dollar quote at s[i], if one does:
// letters, digits and "_" between two "$", not starting with a digit.
func dollarTag(s string, i int) (string, bool) {
	for j := i + 1; j < len(s); j++ {
		switch c := s[j]; {
		case c == '$':
			return s[i : j+1], true
		case isIdentStart(c) || j > i+1 && c >= '0' && c <= '9':
		default:
			return "", false
		}
	}
	return "", false
}

// blockComment returns the index after the /* comment at i, which nests.
func (s *splitter) blockComment(i int) (int, error) {
	if j := blockCommentEnd(s.src, i); j >= 0 {
		return j, nil
	}
	return 0, fmt.Errorf("line %d: unterminated /* comment (started here): close it with */, once for each /* inside it too, as comments nest", s.lines.at(i))
}

// blockCommentEnd returns the index after the /* comment at i, or -1 if it
// is never closed.
func blockCommentEnd(src string, i int) int {
	depth := 0
	for j := i; j < len(src); {
		switch {
		case strings.HasPrefix(src[j:], "/*"):
			depth++
			j += 2
		case strings.HasPrefix(src[j:], "*/"):
			depth--
			j += 2
			if depth == 0 {
				return j
			}
		default:
			j++
		}
	}
	return -1
}

// metaCommand names the meta-command a backslash starts, for messages.
func metaCommand(s string) string {
	isLetter := func(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
	switch {
	case len(s) > 1 && isLetter(s[1]):
		j := 2
		for j < len(s) && j < 20 && isLetter(s[j]) {
			j++
		}
		return s[:j]
	case len(s) > 1 && s[1] > ' ' && s[1] < 0x7f:
		return s[:2]
	}
	return "a backslash"
}

const splitSpace = " \t\n\r\f\v"

func isSplitSpace(c byte) bool { return strings.IndexByte(splitSpace, c) >= 0 }

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func isIdentCont(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' || c == '$' }

// asciiLower lowers ASCII letters only, as psql compares keywords
// (pg_strcasecmp): Unicode folding could make a keyword of a name.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// lineEnd is the index of the newline ending the line i is on, or the end.
func lineEnd(src string, i int) int {
	if n := strings.IndexByte(src[i:], '\n'); n >= 0 {
		return i + n
	}
	return len(src)
}

// lineCounter turns byte offsets into 1-based line numbers, counting
// newlines forward from the last offset asked about.
type lineCounter struct {
	src       string
	pos, line int
}

func (l *lineCounter) at(pos int) int {
	if pos < l.pos || l.line == 0 {
		l.pos, l.line = 0, 1
	}
	l.line += strings.Count(l.src[l.pos:pos], "\n")
	l.pos = pos
	return l.line
}
