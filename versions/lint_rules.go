package versions

import (
	"context"
	"fmt"
	"strings"
)

// The lint's rules: each name is what a waiver comment names.
const (
	ruleDropTable        = "drop-table"
	ruleDropColumn       = "drop-column"
	ruleRenameTable      = "rename-table"
	ruleRenameColumn     = "rename-column"
	ruleNotNull          = "not-null-no-default"
	ruleValidationLocks  = "validation-locks"
	ruleUniqueDuplicates = "unique-on-duplicates"
	ruleUnchunkable      = "unchunkable-change"
	ruleNarrowType       = "narrow-type"
)

// ruleFix is each rule's safe sequence: expand, backfill, switch the
// application, contract, each step its own version, deployed in between.
var ruleFix = map[string]string{
	ruleDropTable: "contract in two steps: deploy the application without any use of the table first, " +
		"then drop it in a later version (keep a backup, or RENAME it aside and drop it later still)",
	ruleDropColumn: "contract in two steps: deploy the application without any read or write of the column " +
		"(no SELECT * or INSERT without a column list that needs it) first, then drop it in a later version",
	ruleRenameTable: "expand: create the new table; backfill: copy the rows and keep both in step (triggers or writes to both); " +
		"switch: deploy the application on the new name; contract: drop the old table in a later version " +
		"(PostgreSQL also: rename it and create a view under the old name, dropped once unused)",
	ruleRenameColumn: "expand: ADD the new column; backfill: copy the values in batches, the application (or a trigger) " +
		"writing both; switch: deploy the application reading the new column; contract: DROP the old one in a later version",
	ruleNotNull: "expand: add the column NULL, or NOT NULL with a DEFAULT; backfill: fill every NULL in batches, " +
		"and deploy the application writing the column; contract: set NOT NULL in a later version " +
		"(PostgreSQL: ADD CHECK (c IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT, then SET NOT NULL, which then needs no scan)",
	ruleValidationLocks: "PostgreSQL: add the constraint NOT VALID (checks new rows only, a short lock), then " +
		"ALTER TABLE ... VALIDATE CONSTRAINT in a later version (scans without blocking writes); " +
		"MySQL/MariaDB: enforce the reference in the application, or add the foreign key in a maintenance window",
	ruleUniqueDuplicates: "clean the data first: deploy the application no longer writing duplicates, merge or delete " +
		"the duplicates in their own version, then add the unique key in a later version " +
		"(PostgreSQL: CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... UNIQUE USING INDEX)",
	ruleNarrowType: "check the data first (e.g. SELECT max(length(c)), min(c), max(c)), deploy the application writing only values " +
		"that fit the new type, fix or move the rows that do not in their own version, then narrow the column in a later version; or keep the wider type",
	ruleUnchunkable: "rewrite it as said, so that it runs as a background backfill: one table, no ORDER BY or LIMIT, " +
		"a change that a chunk run twice leaves as once; or split it into smaller statements by key range, each its own version",
}

// issue is one unsafe change of a statement, before it is placed in its
// version and file.
type issue struct{ rule, problem string }

// lintDB is what the lint asks the database (engine.Database's part of it):
// the data-dependent rules look at the tables as they are before up runs.
type lintDB interface {
	Size(ctx context.Context, schema, table string) (rows, bytes int64, exists bool, err error)
	HasRows(ctx context.Context, schema, table, nullColumn string) (bool, error)
	HasDuplicates(ctx context.Context, schema, table string, columns []string) (bool, error)
	ColumnType(ctx context.Context, schema, table, column string) (typ string, found bool, err error)
	ParseAlterTable(stmt string) (schema, table, clauses string, ok bool)
}

// checker reads one engine's statements.
type checker struct {
	db  lintDB
	pg  bool
	big func(rows, bytes int64) bool // a table changed online or in chunks
}

// check lists the unsafe changes of a statement. A table that is not there
// (yet: a pending version creates it, or IF EXISTS of nothing) is never
// unsafe to change: no running application uses it.
func (c checker) check(ctx context.Context, s scanned) ([]issue, error) {
	t := s.toks
	switch {
	case words(t, "drop", "table"): // DROP TEMPORARY TABLE (MySQL) begins otherwise
		return c.dropTable(ctx, s, t[2:])
	case words(t, "rename", "table") && !c.pg:
		return c.renameTable(ctx, s, t[2:])
	case words(t, "create", "unique", "index"):
		return c.createUnique(ctx, s, t[3:])
	case words(t, "alter", "table"):
		return c.alterTable(ctx, s.src)
	case words(t, "update"), words(t, "delete"), words(t, "with"):
		return c.dataChange(ctx, s)
	}
	return nil, nil
}

// dataChange finds an UPDATE or DELETE of a big table that cannot run in
// chunks: run directly, it would lock every row it changes until it
// commits, and a replica would replay it as long.
func (c checker) dataChange(ctx context.Context, s scanned) ([]issue, error) {
	d, ok := parseDataChange(s)
	if !ok || d.unchunkable == "" {
		return nil, nil
	}
	var rows, bytes int64
	if d.table != "" {
		var there bool
		var err error
		if rows, bytes, there, err = c.db.Size(ctx, d.schema, d.table); err != nil || !there || !c.big(rows, bytes) {
			return nil, err
		}
	}
	what := d.verb
	if d.table != "" {
		what += " of " + display(d.schema, d.table) + fmt.Sprintf(" (~%d rows)", rows)
	}
	return []issue{{ruleUnchunkable, fmt.Sprintf("%s cannot run as a background backfill in chunks: %s (to chunk it: %s); "+
		"run directly, it locks every row it changes until it commits, and replicas replay it as long", what, d.unchunkable, d.rewrite)}}, nil
}

func (c checker) exists(ctx context.Context, schema, table string) (bool, error) {
	_, _, ok, err := c.db.Size(ctx, schema, table)
	return ok, err
}

func (c checker) dropTable(ctx context.Context, s scanned, t []token) ([]issue, error) {
	if words(t, "if", "exists") {
		t = t[2:]
	}
	var dropped []string
	for _, part := range actions(t) {
		schema, table, _, ok := s.qualifiedName(part, 0)
		if !ok {
			continue
		}
		there, err := c.exists(ctx, schema, table)
		if err != nil {
			return nil, err
		}
		if there {
			dropped = append(dropped, display(schema, table))
		}
	}
	if len(dropped) == 0 {
		return nil, nil
	}
	return []issue{{ruleDropTable, fmt.Sprintf("drops %s with every row: the running application's queries of it fail, and the data is gone",
		strings.Join(dropped, ", "))}}, nil
}

// renameTable reads MySQL's RENAME TABLE a TO b[, c TO d ...].
func (c checker) renameTable(ctx context.Context, s scanned, t []token) ([]issue, error) {
	var out []issue
	for _, part := range actions(t) {
		schema, table, i, ok := s.qualifiedName(part, 0)
		if !ok || i >= len(part) || !part[i].is("to") {
			continue
		}
		there, err := c.exists(ctx, schema, table)
		if err != nil {
			return nil, err
		}
		if there {
			ns, nt, _, _ := s.qualifiedName(part, i+1)
			out = append(out, renamesTable(display(schema, table), display(ns, nt)))
		}
	}
	return out, nil
}

func renamesTable(from, to string) issue {
	return issue{ruleRenameTable, fmt.Sprintf("renames table %s to %s: the running application's queries of %s fail until it is deployed with the new name", from, to, from)}
}

func (c checker) createUnique(ctx context.Context, s scanned, t []token) ([]issue, error) {
	on := -1
	for i, tok := range t {
		if tok.is("on") {
			on = i
			break
		}
	}
	if on < 0 {
		return nil, nil
	}
	i := on + 1
	if i < len(t) && t[i].is("only") {
		i++
	}
	schema, table, i, ok := s.qualifiedName(t, i)
	if !ok {
		return nil, nil
	}
	cols, rest, ok := s.indexColumns(t[i:])
	if !ok || has(topLevel(rest), "where") { // a partial index: only its rows must differ
		return nil, nil
	}
	there, err := c.exists(ctx, schema, table)
	if err != nil || !there {
		return nil, err
	}
	return c.duplicates(ctx, schema, table, cols)
}

// duplicates is unique-on-duplicates of a unique key on cols.
func (c checker) duplicates(ctx context.Context, schema, table string, cols []string) ([]issue, error) {
	dup, err := c.db.HasDuplicates(ctx, schema, table, cols)
	if err != nil || !dup {
		return nil, err
	}
	return []issue{{ruleUniqueDuplicates, fmt.Sprintf("adds a unique key on (%s) of %s, which holds duplicates now: the statement fails (run online: after copying the whole table)",
		strings.Join(cols, ", "), display(schema, table))}}, nil
}

// indexColumns reads the column list of an index, the first (...) of t:
// its column names and the tokens after it. ok is false when there is no
// list or it holds an expression (lower(email)), which the lint cannot
// check. A MySQL prefix, name(10), counts as the whole column: duplicates
// of the prefix alone go unseen.
func (s scanned) indexColumns(t []token) (cols []string, rest []token, ok bool) {
	open := -1
	for i, tok := range t {
		if tok.punct("(") {
			open = i
			break
		}
	}
	if open < 0 {
		return nil, nil, false
	}
	closing, depth := -1, 0
	for i := open; i < len(t) && closing < 0; i++ {
		switch {
		case t[i].punct("("):
			depth++
		case t[i].punct(")"):
			if depth--; depth == 0 {
				closing = i
			}
		}
	}
	if closing < 0 {
		return nil, nil, false
	}
	for _, e := range actions(t[open+1 : closing]) {
		if len(e) == 0 {
			return nil, nil, false
		}
		name, ok := s.ident(e[0])
		if !ok {
			return nil, nil, false
		}
		if len(e) > 1 && e[1].punct("(") && (len(e) < 4 || strings.Trim(e[2].text, "0123456789") != "" || !e[3].punct(")")) {
			return nil, nil, false // a function call, not a prefix
		}
		cols = append(cols, name)
	}
	return cols, t[closing+1:], len(cols) > 0
}

// topLevel is t without what is inside parentheses (a CHECK's condition, a
// DEFAULT's expression, a type's length).
func topLevel(t []token) []token {
	var out []token
	depth := 0
	for _, tok := range t {
		switch {
		case tok.punct("("):
			depth++
		case tok.punct(")"):
			depth = max(0, depth-1)
		case depth == 0:
			out = append(out, tok)
		}
	}
	return out
}

func display(schema, table string) string {
	if schema == "" {
		return table
	}
	return schema + "." + table
}
