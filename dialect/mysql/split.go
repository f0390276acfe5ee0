package mysql

import (
	"fmt"
	"strings"
)

// Statement is one statement of a migration file: its text, trimmed and
// without the delimiter that ends it, and the 1-based line of the file where
// that text starts, for messages.
type Statement struct {
	SQL  string
	Line int
}

// SplitStatements splits a migration file into statements where the mysql
// command-line client would, so that a file hotswap runs behaves as it does
// under "mysql < file":
//
//   - A statement ends at the delimiter (";" at first) outside '...' and
//     "..." strings (backslash escapes, doubled quotes), `...` names
//     (doubled backticks) and comments: "-- " (two dashes and white space or
//     the end of the line; a "--" right before the delimiter too, as the
//     server reads one that ends a statement) and "#" to the end of the
//     line, /* ... */ (not nested, as in MySQL).
//   - /*! ... */ and /*M! ... */ are executable comments: statement text,
//     read like any other text, so a delimiter inside one ends the statement
//     there, as it does in the client (mysqldump switches to DELIMITER ;;
//     around the ones that hold a body). /*+ ... */ optimizer hints are
//     statement text read as a whole, as the client does.
//   - A line "DELIMITER xx", when no statement text is pending, switches the
//     delimiter until the next such line (for trigger and procedure
//     bodies). DELIMITER lines are not statements. DELIMITER must begin its
//     line: the client's reading of it elsewhere is quirky, so a statement
//     that begins with it is an error.
//   - A backslash outside strings is a client command (\G, \g, \c, \d ...),
//     which hotswap does not run: an error, but for \N (NULL).
//
// Comments stay in the statements' text, where a later check reads waivers
// such as "-- hotswap:allow drop-column":
//   - Comments before a statement's first token belong to the statement
//     that follows them; its text, and Line, start at the first comment.
//     Comments before a DELIMITER line go to the statement after it, joined
//     to its text by a newline.
//   - A "--" or "#" comment on the same line right after a delimiter belongs
//     to the statement that delimiter ended, as with mysql --comments: its
//     text gets a space and the comment, so
//     "ALTER TABLE t DROP COLUMN c; -- hotswap:allow drop-column"
//     keeps its waiver.
//   - Comments and white space alone, between statements or at the end,
//     are no statement; an empty statement (a delimiter after nothing but
//     comments) is dropped with its comments.
//
// A last statement without a delimiter is a statement. An unterminated
// string, name or comment is an error naming the line where it starts.
// Backslash escapes are read as on a server without NO_BACKSLASH_ESCAPES,
// the default, as the client does.
func SplitStatements(sql string) ([]Statement, error) {
	s := &splitter{src: sql, delim: ";", start: -1, lines: lineCounter{src: sql}}
	if err := s.run(); err != nil {
		return nil, err
	}
	return s.out, nil
}

type splitter struct {
	src   string
	delim string
	out   []Statement
	lines lineCounter

	start int  // where the pending statement's text starts, -1 before any
	text  bool // the pending statement holds more than comments
	// comments read before a DELIMITER line, for the statement after it
	prefix     string
	prefixLine int
}

func (s *splitter) run() error {
	src := s.src
	for i := 0; i < len(src); {
		if !s.text && (i == 0 || src[i-1] == '\n') {
			next, ok, err := s.delimiterLine(i)
			if err != nil {
				return err
			}
			if ok {
				i = next
				continue
			}
		}
		c := src[i]
		switch {
		case strings.HasPrefix(src[i:], s.delim):
			ended, err := s.end(i)
			if err != nil {
				return err
			}
			i += len(s.delim)
			if ended {
				i = s.trailingComment(i)
			}
		case c == '\'' || c == '"' || c == '`':
			j, err := s.quoted(i)
			if err != nil {
				return err
			}
			s.mark(i, true)
			i = j
		case c == '#' || dashComment(src, i):
			s.mark(i, false)
			i = lineEnd(src, i)
		case strings.HasPrefix(src[i:], "--") && strings.HasPrefix(src[i+2:], s.delim):
			// "--;": the client ends the statement at the delimiter, and the
			// server reads a "--" that ends a statement as a comment
			s.mark(i, false)
			i += 2
		case strings.HasPrefix(src[i:], "/*!"):
			s.mark(i, true)
			i += 3
		case strings.HasPrefix(src[i:], "/*M!"):
			s.mark(i, true)
			i += 4
		case strings.HasPrefix(src[i:], "/*"):
			j := strings.Index(src[i+2:], "*/")
			if j < 0 {
				return fmt.Errorf("line %d: unterminated /* comment (started here): close it with */", s.lines.at(i))
			}
			s.mark(i, strings.HasPrefix(src[i:], "/*+")) // a hint is statement text
			i += 2 + j + 2
		case c == '\\':
			if i+1 < len(src) && src[i+1] == 'N' { // \N is NULL
				s.mark(i, true)
				i += 2
				continue
			}
			return fmt.Errorf("line %d: %s outside a string is a mysql client command, which hotswap does not run: end statements with the delimiter, and put text in quotes", s.lines.at(i), clientCommand(src[i:]))
		case isSplitSpace(c):
			i++
		default:
			s.mark(i, true)
			i++
		}
	}
	_, err := s.end(len(src))
	return err
}

// mark records text at i: a comment (text false) or statement text.
func (s *splitter) mark(i int, text bool) {
	if s.start < 0 {
		s.start = i
	}
	s.text = s.text || text
}

// end ends the pending statement at i, where its delimiter (or the input)
// ends it, and says whether that made a statement: comments alone do not.
func (s *splitter) end(i int) (bool, error) {
	ended := s.text
	if s.text {
		body := strings.TrimRight(s.src[s.start:i], splitSpace)
		line := s.lines.at(s.start)
		if word, n := firstWord(body); strings.EqualFold(word, "delimiter") && (n == len(body) || isSplitSpace(body[n])) {
			return false, fmt.Errorf("line %d: DELIMITER must begin a line of its own, after the previous statement's delimiter: the mysql client reads it anywhere else in ways hotswap does not follow", line)
		}
		if s.prefix != "" {
			body, line = s.prefix+"\n"+body, s.prefixLine
		}
		s.out = append(s.out, Statement{SQL: body, Line: line})
	}
	s.start, s.text, s.prefix = -1, false, ""
	return ended, nil
}

// trailingComment takes a "--" or "#" comment that follows a statement's
// delimiter on the same line into that statement, and returns where reading
// goes on.
func (s *splitter) trailingComment(i int) int {
	j := i
	for j < len(s.src) && (s.src[j] == ' ' || s.src[j] == '\t') {
		j++
	}
	if j >= len(s.src) || !(s.src[j] == '#' || dashComment(s.src, j)) {
		return i
	}
	k := lineEnd(s.src, j)
	last := &s.out[len(s.out)-1]
	last.SQL += " " + strings.TrimRight(s.src[j:k], splitSpace)
	return k
}

// delimiterLine reads a "DELIMITER xx" line starting at i, if one does, and
// returns the start of the next line.
func (s *splitter) delimiterLine(i int) (next int, ok bool, err error) {
	src := s.src
	j := i
	for j < len(src) && (src[j] == ' ' || src[j] == '\t') {
		j++
	}
	n := 0
	for j+n < len(src) && isNameByte(src[j+n]) {
		n++
	}
	if !strings.EqualFold(src[j:j+n], "delimiter") || j+n < len(src) && !isSplitSpace(src[j+n]) {
		return 0, false, nil
	}
	line := s.lines.at(j)
	end := lineEnd(src, j)
	arg := strings.TrimLeft(src[j+n:end], " \t")
	delim, rest := arg, ""
	if k := strings.IndexAny(arg, " \t\r"); k >= 0 {
		delim, rest = arg[:k], strings.TrimLeft(arg[k:], " \t\r")
	}
	if q := delim; q != "" && strings.ContainsRune("'\"`", rune(q[0])) {
		// a quoted delimiter may hold white space: up to the closing quote
		if k := strings.IndexByte(arg[1:], q[0]); k >= 0 {
			delim, rest = arg[1:1+k], strings.TrimLeft(arg[2+k:], " \t\r")
		}
	}
	switch {
	case delim == "":
		return 0, false, fmt.Errorf("line %d: DELIMITER needs the delimiter to switch to, as in DELIMITER //", line)
	case strings.Contains(delim, `\`):
		return 0, false, fmt.Errorf("line %d: DELIMITER %s: a delimiter cannot hold a backslash", line, delim)
	case rest != "" && rest[0] != '#' && !strings.HasPrefix(rest, "--"):
		return 0, false, fmt.Errorf("line %d: DELIMITER %s is followed by %q, which the mysql client would ignore: put it on a line of its own", line, delim, rest)
	}
	if s.start >= 0 { // comments before the line go to the next statement
		s.addPrefix(strings.TrimRight(src[s.start:i], splitSpace), s.lines.at(s.start))
		s.start = -1
	}
	s.delim = delim
	if end < len(src) {
		end++ // the newline
	}
	return end, true, nil
}

func (s *splitter) addPrefix(comments string, line int) {
	if s.prefix == "" {
		s.prefix, s.prefixLine = comments, line
		return
	}
	s.prefix += "\n" + comments
}

// quoted returns the index after the quote that closes the string or name
// opened at i: a doubled quote continues it, and so does a backslash escape
// in a string (not in a `name`).
func (s *splitter) quoted(i int) (int, error) {
	src, q := s.src, s.src[i]
	for j := i + 1; j < len(src); j++ {
		switch {
		case src[j] == '\\' && q != '`':
			j++
		case src[j] == q && j+1 < len(src) && src[j+1] == q:
			j++
		case src[j] == q:
			return j + 1, nil
		}
	}
	what := "string"
	if q == '`' {
		what = "quoted name"
	}
	return 0, fmt.Errorf("line %d: unterminated %s %c...%c (started here): close it with %c, and write a %c inside it as %c%c", s.lines.at(i), what, q, q, q, q, q, q)
}

// clientCommand names the client command a backslash starts, for messages.
func clientCommand(s string) string {
	if len(s) > 1 && s[1] > ' ' && s[1] < 0x7f {
		return s[:2]
	}
	return "a backslash"
}

const splitSpace = " \t\n\r\f\v"

func isSplitSpace(c byte) bool { return strings.IndexByte(splitSpace, c) >= 0 }

// dashComment says whether a "-- " comment starts at i: two dashes and
// white space or the end of the input ("--1" is minus minus one).
func dashComment(src string, i int) bool {
	return strings.HasPrefix(src[i:], "--") && (i+2 == len(src) || isSplitSpace(src[i+2]))
}

// lineEnd is the index of the newline ending the line i is on, or the end.
func lineEnd(src string, i int) int {
	if n := strings.IndexByte(src[i:], '\n'); n >= 0 {
		return i + n
	}
	return len(src)
}

// firstWord is the word at the start of s after any comments and white
// space, and the index after it; a word is what the client takes for a
// command name: letters, digits, "_" and "$".
func firstWord(s string) (string, int) {
	i := 0
	for i < len(s) {
		switch {
		case isSplitSpace(s[i]):
			i++
		case s[i] == '#' || dashComment(s, i):
			i = lineEnd(s, i)
		case plainComment(s[i:]):
			j := strings.Index(s[i+2:], "*/")
			if j < 0 {
				return "", len(s)
			}
			i += 2 + j + 2
		default:
			j := i
			for j < len(s) && isNameByte(s[j]) {
				j++
			}
			return s[i:j], j
		}
	}
	return "", i
}

// plainComment says whether s starts with a /* comment that is neither an
// executable comment nor an optimizer hint.
func plainComment(s string) bool {
	return strings.HasPrefix(s, "/*") && !strings.HasPrefix(s, "/*!") && !strings.HasPrefix(s, "/*M!") && !strings.HasPrefix(s, "/*+")
}

// isNameByte says whether c may be part of an unquoted MySQL name.
func isNameByte(c byte) bool {
	return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
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
