package postgres

import (
	"strings"
)

// ParseAlterTable recognizes a statement "ALTER TABLE [IF EXISTS] [ONLY]
// name [*] clauses" and returns the schema it names ("" if none), the table,
// and the clauses after the name, trimmed: what hotswap's --alter takes.
// Keywords are case-insensitive and comments may come before and between
// them. A name is "quoted" (case kept, doubled quotes undone) or bare
// (folded to lower case, ASCII letters only, as the server does), possibly
// schema-qualified ("s"."T", s.t), cut to 63 bytes as the server cuts it.
// ONLY (name) is read too. Every form is ok, RENAME TO and SET SCHEMA
// included: the caller decides what it runs.
//
// ok is false for any other statement, which the caller runs as it is:
// ALTER TABLESPACE, ALTER TABLE ALL IN TABLESPACE, a missing name ("ALTER
// TABLE ADD COLUMN c int": the name would be a keyword), no clauses, a
// catalog-qualified name (db.s.t) or a U&"..." name. The caller loses IF
// EXISTS (the table must exist) and ONLY (hotswap alters the one table).
func ParseAlterTable(stmt string) (schemaName, table, clauses string, ok bool) {
	r := alterReader{src: stmt}
	if !r.keyword("alter") || !r.keyword("table") {
		return "", "", "", false
	}
	save := r.i
	if !r.keyword("if") || !r.keyword("exists") {
		r.i = save
	}
	only := r.keyword("only")
	paren := only && r.punct('(')
	table, bare, ok := r.name()
	if !ok {
		return "", "", "", false
	}
	if r.punct('.') {
		schemaName = table
		if table, bare, ok = r.name(); !ok || r.punct('.') {
			return "", "", "", false
		}
	}
	if paren && !r.punct(')') {
		return "", "", "", false
	}
	if !only {
		r.punct('*') // the table and its descendants: the default
	}
	clauses = strings.Trim(stmt[r.i:], splitSpace)
	next := alterReader{src: clauses}
	nextWord := asciiLower(next.word())
	// after a dot, a reserved word is a name ("s.select")
	reserved := schemaName == "" && pgReserved[table]
	if onlyComments(clauses) || bare && (reserved || pgActionWord[table] && !pgActionWord[nextWord] ||
		table == "if" && nextWord == "exists") { // ONLY IF EXISTS: the server wants IF EXISTS first
		return "", "", "", false
	}
	return schemaName, table, clauses, true
}

// alterReader reads the words and names that begin a statement.
type alterReader struct {
	src string
	i   int
}

// skip passes white space and comments.
func (r *alterReader) skip() {
	for r.i < len(r.src) {
		switch {
		case isSplitSpace(r.src[r.i]):
			r.i++
		case strings.HasPrefix(r.src[r.i:], "--"):
			r.i = lineEnd(r.src, r.i)
		case strings.HasPrefix(r.src[r.i:], "/*"):
			if r.i = blockCommentEnd(r.src, r.i); r.i < 0 {
				r.i = len(r.src)
			}
		default:
			return
		}
	}
}

// word reads the bare word at the reader, "" if none is there.
func (r *alterReader) word() string {
	r.skip()
	if r.i >= len(r.src) || !isIdentStart(r.src[r.i]) {
		return ""
	}
	j := r.i + 1
	for j < len(r.src) && isIdentCont(r.src[j]) {
		j++
	}
	w := r.src[r.i:j]
	r.i = j
	return w
}

// keyword reads the word w, case-insensitively.
func (r *alterReader) keyword(w string) bool {
	save := r.i
	if got := r.word(); got == "" || asciiLower(got) != w {
		r.i = save
		return false
	}
	return true
}

// punct reads the character c.
func (r *alterReader) punct(c byte) bool {
	save := r.i
	if r.skip(); r.i < len(r.src) && r.src[r.i] == c {
		r.i++
		return true
	}
	r.i = save
	return false
}

// name reads a "quoted" or bare name as the server resolves it; bare says
// which.
func (r *alterReader) name() (name string, bare, ok bool) {
	r.skip()
	src, i := r.src, r.i
	if i < len(src) && src[i] == '"' {
		for j := i + 1; j < len(src); j++ {
			if src[j] != '"' {
				continue
			}
			if j+1 < len(src) && src[j+1] == '"' {
				j++
				continue
			}
			name = strings.ReplaceAll(src[i+1:j], `""`, `"`)
			r.i = j + 1
			return cutUTF8(name, pgMaxNameBytes), false, name != ""
		}
		return "", false, false
	}
	w := r.word()
	if w == "" || r.i < len(src) && (src[r.i] == '&' || src[r.i] == '\'') { // U&"...", E'...'
		return "", true, false
	}
	return cutUTF8(asciiLower(w), pgMaxNameBytes), true, true
}

// onlyComments says whether s holds nothing but white space and comments.
func onlyComments(s string) bool {
	r := alterReader{src: s}
	r.skip()
	return r.i >= len(s)
}

// pgReserved holds PostgreSQL's reserved words and those that can name
// only types and functions: never a bare table name.
var pgReserved = wordSet(`all analyse analyze and any array as asc asymmetric
	authorization binary both case cast check collate collation column
	concurrently constraint create cross current_catalog current_date
	current_role current_schema current_time current_timestamp current_user
	default deferrable desc distinct do else end except false fetch for
	foreign freeze from full grant group having ilike in initially inner
	intersect into is isnull join lateral leading left like limit localtime
	localtimestamp natural not notnull null offset on only or order outer
	overlaps placing primary references returning right select session_user
	similar some symmetric system_user table tablesample then to trailing
	true union unique user using variadic verbose when where window with`)

// pgActionWord holds the words an ALTER TABLE action begins with: a bare
// name among them is taken for the action, the name left out, unless an
// action follows it ("ALTER TABLE drop DROP COLUMN c" alters table drop).
var pgActionWord = wordSet(`add alter attach cluster detach disable drop
	enable force inherit merge no not of owner rename replica reset set split
	validate`)

func wordSet(words string) map[string]bool {
	set := map[string]bool{}
	for _, w := range strings.Fields(words) {
		set[w] = true
	}
	return set
}
