package schema

import "strings"

// The TiDB parser that reads the ALTER for renames and dropped columns does
// not know every word MariaDB takes: a column's INVISIBLE, SPATIAL indexes,
// the spatial types and MariaDB's own types. None of them says anything
// about renames or dropped columns, so the analysis reads the clauses with
// them blanked out (INVISIBLE, SPATIAL) or, in a column type's place, read
// as BLOB. The server gets the clauses exactly as written and is the judge.
var (
	blankedWords = map[string]bool{"INVISIBLE": true, "SPATIAL": true}
	foreignTypes = map[string]bool{
		"GEOMETRY": true, "POINT": true, "LINESTRING": true, "POLYGON": true, "MULTIPOINT": true,
		"MULTILINESTRING": true, "MULTIPOLYGON": true, "GEOMETRYCOLLECTION": true, "GEOMCOLLECTION": true,
		"INET4": true, "INET6": true, "UUID": true,
	}
	// notColumns are the words after ADD that start something other than a
	// column definition: no column type follows.
	notColumns = map[string]bool{"INDEX": true, "KEY": true, "UNIQUE": true, "PRIMARY": true, "SPATIAL": true,
		"FULLTEXT": true, "CONSTRAINT": true, "FOREIGN": true, "CHECK": true, "PARTITION": true, "PERIOD": true, "SYSTEM": true}
	// mariaDBTableOptions are MariaDB table options with a number for value
	// that the parser lacks; at a clause's start they read as one it has.
	mariaDBTableOptions = map[string]bool{"PAGE_COMPRESSED": true, "PAGE_COMPRESSION_LEVEL": true, "ENCRYPTION_KEY_ID": true}
	// skippedWords may stand between ADD/MODIFY/CHANGE and the name(s).
	skippedWords = map[string]bool{"COLUMN": true, "IF": true, "NOT": true, "EXISTS": true}
)

// forTheParser returns clauses with the words above replaced where they stand
// as words outside strings, quoted names and comments; a type word only in
// a column type's place (after ADD/MODIFY [COLUMN] name or CHANGE [COLUMN]
// old new), so a column named "point" stays a name.
func forTheParser(clauses string) string {
	var out strings.Builder
	namesBeforeType := -1 // names still to pass before a column type; -1: no type expected
	last, prev := 0, ""
	depth, clauseStart := 0, true
	for _, tok := range mysqlTokens(clauses) {
		word := strings.ToUpper(clauses[tok.start:tok.end])
		replace, ok := "", false
		switch {
		case !tok.word:
			if namesBeforeType > 0 && tok.quoted {
				namesBeforeType--
			} else if clauses[tok.start] == ',' {
				namesBeforeType = -1
			}
		case clauseStart && mariaDBTableOptions[word]:
			replace, ok = "STATS_SAMPLE_PAGES", true
		case blankedWords[word]:
			replace, ok = strings.Repeat(" ", len(word)), true
			if word == "SPATIAL" {
				namesBeforeType = -1 // an index, not a column
			}
		case namesBeforeType == 0 && foreignTypes[word]:
			replace, ok = "BLOB", true
			namesBeforeType = -1
		case word == "ADD" || word == "MODIFY":
			namesBeforeType = 1
		case word == "CHANGE":
			namesBeforeType = 2
		case namesBeforeType > 0 && skippedWords[word]:
		case namesBeforeType > 0 && notColumns[word] && prev == "ADD":
			namesBeforeType = -1
		case namesBeforeType > 0:
			namesBeforeType--
		default:
			namesBeforeType = -1
		}
		if tok.word {
			prev = word
		}
		depth, clauseStart = nextDepth(clauses[tok.start], depth), false
		if depth == 0 && clauses[tok.start] == ',' && !tok.word && !tok.quoted {
			clauseStart = true
		}
		if ok {
			out.WriteString(clauses[last:tok.start])
			out.WriteString(replace)
			last = tok.end
		}
	}
	out.WriteString(clauses[last:])
	return out.String()
}

// nextDepth is the parenthesis depth after character c.
func nextDepth(c byte, depth int) int {
	switch c {
	case '(':
		return depth + 1
	case ')':
		return max(0, depth-1)
	}
	return depth
}

// mysqlToken is a word, a quoted name or string, or one other character.
type mysqlToken struct {
	start, end   int
	word, quoted bool
}

// mysqlTokens splits MySQL text into tokens, skipping white space and
// comments.
func mysqlTokens(s string) []mysqlToken {
	var toks []mysqlToken
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '#' || c == '-' && strings.HasPrefix(s[i:], "-- "):
			i = endOfLine(s, i)
		case c == '/' && strings.HasPrefix(s[i:], "/*"):
			i = endOfBlockComment(s, i)
		case c == '\'' || c == '"' || c == '`':
			j := endOfMySQLQuoted(s, i+1, c)
			toks = append(toks, mysqlToken{start: i, end: j, quoted: c == '`'})
			i = j
		case isWordStart(c) || c >= '0' && c <= '9':
			j := i + 1
			for j < len(s) && isWordChar(s[j]) {
				j++
			}
			toks = append(toks, mysqlToken{start: i, end: j, word: true})
			i = j
		default:
			toks = append(toks, mysqlToken{start: i, end: i + 1})
			i++
		}
	}
	return toks
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
