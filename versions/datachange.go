package versions

import (
	"slices"
	"strings"

	"github.com/hotswap/hotswap/copier"
)

// dataChange is an UPDATE or DELETE of one table, read to run it as a
// background backfill: chunk by chunk over the table's key, each chunk the
// statement with the chunk's key range added to its WHERE.
type dataChange struct {
	verb          string // "UPDATE" or "DELETE"
	schema, table string
	assigns       []string // the columns an UPDATE sets
	// template is the statement with copier.ChunkPlaceholder where the
	// chunk's key range goes (the backfill's --sql-file form).
	template string
	// unchunkable says why it cannot run in chunks ("" when it can), and
	// rewrite how to write it so that it can.
	unchunkable, rewrite string
}

// parseDataChange reads an UPDATE or DELETE; ok is false for any other
// statement. A statement it reads but cannot chunk (several tables, ORDER
// BY or LIMIT, RETURNING, a WITH, a change that would not be harmless run
// twice) comes back with unchunkable set.
func parseDataChange(s scanned) (dataChange, bool) {
	t := s.toks
	switch {
	case len(t) > 0 && t[0].is("with"):
		return dataChange{verb: "a statement with WITH", unchunkable: "it begins with a WITH clause",
			rewrite: "write the WITH's query into the statement as a subquery of its WHERE"}, true
	case len(t) > 0 && t[0].is("update"):
		return s.readUpdate(), true
	case len(t) > 0 && t[0].is("delete"):
		return s.readDelete(), true
	}
	return dataChange{}, false
}

// modifiers are the words between the verb and the table: MySQL's
// LOW_PRIORITY, QUICK and IGNORE, PostgreSQL's ONLY.
var modifiers = map[string]bool{"low_priority": true, "quick": true, "ignore": true, "only": true}

func (s scanned) readUpdate() dataChange {
	d := dataChange{verb: "UPDATE"}
	i := 1
	for i < len(s.toks) && modifiers[strings.ToLower(s.toks[i].text)] && s.toks[i].kind == tokWord {
		i++
	}
	schema, table, next, ok := s.qualifiedName(s.toks, i)
	if !ok {
		return d.refuse("hotswap cannot read its table", "write it as UPDATE table SET ... WHERE ...")
	}
	d.schema, d.table = schema, table
	set := s.topLevelWord(next, "set")
	if set < 0 {
		return d.refuse("hotswap cannot read its SET", "write it as UPDATE table SET ... WHERE ...")
	}
	if set-next > 2 || s.toks[next].punct(",") || hasWord(s.toks[next:set], "join") {
		return d.refuse("it changes several tables (a join or a list)", "change one table per statement, with the others in a subquery of its WHERE")
	}
	where := s.topLevelWord(set, "where")
	end := len(s.toks)
	if where >= 0 {
		end = where
	}
	d.assigns = s.assigned(s.toks[set+1 : end])
	if why, fix := s.unchunkableTail(set); why != "" {
		return d.refuse(why, fix)
	}
	if s.readsAssigned(s.toks[set+1:end], d.assigns) && !s.mentionsAny(s.toks[end:], d.assigns) {
		return d.refuse("its SET reads a column it writes and its WHERE does not exclude rows already changed: a chunk run again after a kill would change its rows twice",
			"add a condition the change makes false, e.g. UPDATE t SET n = n + 1, n_done = TRUE WHERE NOT n_done, or write the new values into a new column (SET n2 = n + 1 WHERE n2 IS NULL)")
	}
	d.template = s.withChunk(where)
	return d
}

func (s scanned) readDelete() dataChange {
	d := dataChange{verb: "DELETE"}
	i := 1
	for i < len(s.toks) && modifiers[strings.ToLower(s.toks[i].text)] && s.toks[i].kind == tokWord {
		i++
	}
	if i >= len(s.toks) || !s.toks[i].is("from") {
		return d.refuse("it deletes from several tables (DELETE t FROM ...)", "delete from one table per statement: DELETE FROM t WHERE ..., with the others in a subquery")
	}
	if i+1 < len(s.toks) && s.toks[i+1].is("only") {
		i++
	}
	schema, table, next, ok := s.qualifiedName(s.toks, i+1)
	if !ok {
		return d.refuse("hotswap cannot read its table", "write it as DELETE FROM table WHERE ...")
	}
	d.schema, d.table = schema, table
	where := s.topLevelWord(next, "where")
	end := len(s.toks)
	if where >= 0 {
		end = where
	}
	if end-next > 2 || hasWord(s.toks[next:end], "using") || hasWord(s.toks[next:end], "join") || next < end && s.toks[next].punct(",") {
		return d.refuse("it reads several tables (USING, a join or a list)", "delete from one table, with the others in a subquery of its WHERE: DELETE FROM t WHERE id IN (SELECT ...)")
	}
	if why, fix := s.unchunkableTail(next); why != "" {
		return d.refuse(why, fix)
	}
	d.template = s.withChunk(where)
	return d
}

func (d dataChange) refuse(why, fix string) dataChange {
	d.unchunkable, d.rewrite = why, fix
	return d
}

// unchunkableTail finds, after toks[from], the clauses a chunk cannot keep:
// ORDER BY and LIMIT change meaning per chunk, RETURNING would return per
// chunk, FROM (PostgreSQL's UPDATE ... FROM) joins.
func (s scanned) unchunkableTail(from int) (why, fix string) {
	switch {
	case s.topLevelWord(from, "order") >= 0 || s.topLevelWord(from, "limit") >= 0:
		return "it has ORDER BY or LIMIT, which would apply to each chunk instead of the table",
			"drop ORDER BY and LIMIT: the backfill itself goes through the table in key order, in small chunks"
	case s.topLevelWord(from, "returning") >= 0:
		return "it has RETURNING", "drop RETURNING: a migration has nobody to return rows to"
	case s.topLevelWord(from, "from") >= 0:
		return "it joins another table (UPDATE ... FROM)", "move the other table into a subquery: SET c = (SELECT ... WHERE o.id = t.id)"
	case strings.Contains(s.src, copier.ChunkPlaceholder):
		return "its text holds " + copier.ChunkPlaceholder + ", the backfill's placeholder", "write it without that text"
	}
	return "", ""
}

// withChunk is the statement (its comments around it left out) with the
// chunk's key range added: to its WHERE (toks[where]; -1 for none) or as
// one. The line break before the parenthesis ends a -- comment the WHERE
// may end with.
func (s scanned) withChunk(where int) string {
	first, last := s.toks[0], s.toks[len(s.toks)-1]
	if where < 0 {
		return s.src[first.start:last.end] + "\nWHERE " + copier.ChunkPlaceholder
	}
	w := s.toks[where]
	cond := w.end // nothing after WHERE: the server's syntax error, from the backfill's check
	if where+1 < len(s.toks) {
		cond = s.toks[where+1].start
	}
	return s.src[first.start:w.end] + " (" + s.src[cond:last.end] + "\n) AND " + copier.ChunkPlaceholder
}

// topLevelWord is the index of the first bare word w at toks[from:] outside
// parentheses, -1 if none.
func (s scanned) topLevelWord(from int, w string) int {
	depth := 0
	for i := from; i < len(s.toks); i++ {
		switch t := s.toks[i]; {
		case t.punct("("):
			depth++
		case t.punct(")"):
			depth = max(0, depth-1)
		case depth == 0 && t.is(w):
			return i
		}
	}
	return -1
}

// assigned is the columns a SET list assigns: the name before each "="
// (the last part of a qualified one, t.c), or each of PostgreSQL's
// (a, b) = ...
func (s scanned) assigned(set []token) []string {
	var cols []string
	for _, a := range actions(set) {
		eq := slices.IndexFunc(a, func(t token) bool { return t.punct("=") })
		if eq <= 0 {
			continue
		}
		var names []string
		for _, t := range a[:eq] {
			if name, ok := s.ident(t); ok {
				names = append(names, name)
			}
		}
		if len(names) > 0 && !a[0].punct("(") {
			names = names[len(names)-1:]
		}
		cols = append(cols, names...)
	}
	return cols
}

// readsAssigned says whether a right-hand side of the SET list names a
// column it assigns.
func (s scanned) readsAssigned(set []token, cols []string) bool {
	for _, a := range actions(set) {
		for i, t := range a {
			if t.punct("=") {
				if s.mentionsAny(a[i+1:], cols) {
					return true
				}
				break
			}
		}
	}
	return false
}

// mentionsAny says whether toks name one of cols.
func (s scanned) mentionsAny(toks []token, cols []string) bool {
	for _, t := range toks {
		name, ok := s.ident(t)
		if !ok {
			continue
		}
		for _, c := range cols {
			if name == c || !s.pg && strings.EqualFold(name, c) { // MySQL: column names ignore case
				return true
			}
		}
	}
	return false
}

func hasWord(toks []token, w string) bool {
	for _, t := range toks {
		if t.is(w) {
			return true
		}
	}
	return false
}
