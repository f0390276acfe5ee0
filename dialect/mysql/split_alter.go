package mysql

import (
	"strings"
)

// ParseAlterTable recognizes a statement "ALTER TABLE [IF EXISTS] name
// clauses" (IF EXISTS is MariaDB's) and returns the database it names ("" if
// none), the table, and the clauses after the name, trimmed: what hotswap's
// --alter takes. Keywords are case-insensitive and comments may come before
// and between them. The name is `quoted` (doubled backticks undone) or bare,
// possibly database-qualified (db.t, `db`.`t`); names keep their case, as
// the server's lower_case_table_names decides what case means.
//
// ok is false for any other statement, which the caller runs as it is:
// ALTER TABLESPACE, ALTER IGNORE TABLE and ALTER ONLINE TABLE (whose keyword
// the clauses would lose), a missing name ("ALTER TABLE ADD COLUMN c INT":
// the name would be a keyword), no clauses, a "double-quoted" name (a
// string, unless the session has ANSI_QUOTES) or a statement inside an
// executable comment. The caller loses IF EXISTS: the table must exist.
func ParseAlterTable(stmt string) (schemaName, table, clauses string, ok bool) {
	r := alterReader{src: stmt}
	if !r.keyword("alter") || !r.keyword("table") {
		return "", "", "", false
	}
	save := r.i
	if !r.keyword("if") || !r.keyword("exists") {
		r.i = save
	}
	table, bare, ok := r.name()
	if !ok {
		return "", "", "", false
	}
	save = r.i
	if r.skip(); r.i < len(stmt) && stmt[r.i] == '.' {
		r.i++
		schemaName = table
		if table, bare, ok = r.name(); !ok {
			return "", "", "", false
		}
	} else {
		r.i = save
	}
	clauses = strings.Trim(stmt[r.i:], splitSpace)
	if next, _ := firstWord(clauses); onlyComments(clauses) || bare && alterNameMissing(table, next, schemaName != "") {
		return "", "", "", false
	}
	return schemaName, table, clauses, true
}

// alterReader reads the words and names that begin a statement.
type alterReader struct {
	src string
	i   int
}

// skip passes white space and comments, but not executable comments or
// hints, which are statement text.
func (r *alterReader) skip() {
	for r.i < len(r.src) {
		switch s, i := r.src, r.i; {
		case isSplitSpace(s[i]):
			r.i++
		case s[i] == '#' || dashComment(s, i):
			r.i = lineEnd(s, i)
		case plainComment(s[i:]):
			e := strings.Index(s[i+2:], "*/")
			if e < 0 {
				r.i = len(s)
				return
			}
			r.i = i + 2 + e + 2
		default:
			return
		}
	}
}

// keyword reads the word w, case-insensitively.
func (r *alterReader) keyword(w string) bool {
	r.skip()
	j := r.i
	for j < len(r.src) && isNameByte(r.src[j]) {
		j++
	}
	if !strings.EqualFold(r.src[r.i:j], w) {
		return false
	}
	r.i = j
	return true
}

// name reads a `quoted` or bare name; bare says which.
func (r *alterReader) name() (name string, bare, ok bool) {
	r.skip()
	src, i := r.src, r.i
	if i < len(src) && src[i] == '`' {
		for j := i + 1; j < len(src); j++ {
			if src[j] != '`' {
				continue
			}
			if j+1 < len(src) && src[j+1] == '`' {
				j++
				continue
			}
			name = strings.ReplaceAll(src[i+1:j], "``", "`")
			r.i = j + 1
			return name, false, name != ""
		}
		return "", false, false
	}
	j := i
	for j < len(src) && isNameByte(src[j]) {
		j++
	}
	name = src[i:j]
	if name == "" || strings.Trim(name, "0123456789") == "" { // a number is no name
		return "", true, false
	}
	r.i = j
	return name, true, true
}

// onlyComments says whether s holds nothing but white space and comments.
func onlyComments(s string) bool {
	r := alterReader{src: s}
	r.skip()
	return r.i >= len(s)
}

// alterNameMissing says whether a bare table name is in fact the first
// keyword of the clauses, the name left out: a reserved word (but after a
// dot, where any word is a name), or a clause keyword not followed by one
// ("ALTER TABLE engine=InnoDB", "ALTER TABLE db. ADD c INT").
func alterNameMissing(name, next string, afterDot bool) bool {
	n, x := strings.ToLower(name), strings.ToLower(next)
	if reservedAlterWord[n] && !afterDot {
		return true
	}
	return (reservedAlterWord[n] || alterClauseWord[n]) && !reservedAlterWord[x] && !alterClauseWord[x]
}

// reservedAlterWord holds the reserved words (never a bare name) an ALTER
// TABLE clause can begin with, and IF, TABLE.
var reservedAlterWord = map[string]bool{
	"add": true, "alter": true, "change": true, "character": true, "check": true,
	"collate": true, "constraint": true, "convert": true, "default": true,
	"drop": true, "force": true, "foreign": true, "fulltext": true, "if": true,
	"index": true, "key": true, "lock": true, "order": true, "partition": true,
	"primary": true, "rename": true, "spatial": true, "table": true,
	"union": true, "unique": true, "with": true,
}

// alterClauseWord holds non-reserved words an ALTER TABLE clause or table
// option can begin with, which can be names too.
var alterClauseWord = map[string]bool{
	"algorithm": true, "auto_increment": true, "avg_row_length": true,
	"charset": true, "checksum": true, "comment": true, "compression": true,
	"connection": true, "data": true, "delay_key_write": true, "disable": true,
	"discard": true, "enable": true, "encryption": true, "engine": true,
	"import": true, "insert_method": true, "key_block_size": true,
	"max_rows": true, "min_rows": true, "modify": true, "nowait": true,
	"pack_keys": true, "password": true, "remove": true, "row_format": true,
	"stats_auto_recalc": true, "stats_persistent": true,
	"stats_sample_pages": true, "tablespace": true, "truncate": true,
	"wait": true, "without": true,
}
