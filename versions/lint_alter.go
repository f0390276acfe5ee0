package versions

import (
	"context"
	"fmt"
	"strings"
)

// alterCheck reads the actions of one ALTER TABLE of an existing table.
type alterCheck struct {
	checker
	s             scanned // the clauses
	schema, table string
}

// alterTable checks each action of an ALTER TABLE. The engine reads the
// name (ParseAlterTable, as the runner does); a statement it does not take
// for an ALTER TABLE (MySQL's ALTER ONLINE/IGNORE TABLE) is not checked.
func (c checker) alterTable(ctx context.Context, stmt string) ([]issue, error) {
	schema, table, clauses, ok := c.db.ParseAlterTable(stmt)
	if !ok {
		return nil, nil
	}
	if there, err := c.exists(ctx, schema, table); err != nil || !there {
		return nil, err
	}
	a := alterCheck{checker: c, s: scan(clauses, c.pg), schema: schema, table: table}
	var out []issue
	for _, act := range actions(a.s.toks) {
		is, err := a.action(ctx, act)
		if err != nil {
			return nil, err
		}
		out = append(out, is...)
	}
	return out, nil
}

func (a alterCheck) name() string { return display(a.schema, a.table) }

func (a alterCheck) action(ctx context.Context, t []token) ([]issue, error) {
	switch {
	case len(t) == 0:
		return nil, nil
	case t[0].is("drop"):
		return a.drop(t[1:]), nil
	case t[0].is("rename"):
		return a.rename(t[1:]), nil
	case words(t, "set", "schema") && len(t) > 2: // PostgreSQL moves the table
		if schema, ok := a.s.ident(t[2]); ok {
			return []issue{renamesTable(a.name(), display(schema, a.table))}, nil
		}
		return nil, nil
	case t[0].is("change") && !a.pg:
		return a.change(ctx, t[1:])
	case t[0].is("modify") && !a.pg:
		return a.modify(ctx, t[1:])
	case t[0].is("alter"):
		return a.alterColumn(ctx, t[1:])
	case t[0].is("add"):
		return a.add(ctx, t[1:])
	}
	return nil, nil
}

// notColumn holds the words after DROP that drop something else than a
// column (a column of such a name must be quoted, or follow COLUMN).
var notColumn = map[string]bool{"index": true, "key": true, "primary": true, "foreign": true, "check": true,
	"constraint": true, "partition": true, "fulltext": true, "spatial": true, "unique": true, "period": true, "system": true}

// skipColumnWords passes [COLUMN] [IF [NOT] EXISTS]; column says whether
// COLUMN was there.
func skipColumnWords(t []token) (rest []token, column bool) {
	if len(t) > 0 && t[0].is("column") {
		t, column = t[1:], true
	}
	switch {
	case words(t, "if", "exists"):
		t = t[2:]
	case words(t, "if", "not", "exists"):
		t = t[3:]
	}
	return t, column
}

func (a alterCheck) drop(t []token) []issue {
	if len(t) > 0 && t[0].kind == tokWord && notColumn[strings.ToLower(t[0].text)] {
		return nil
	}
	t, _ = skipColumnWords(t)
	if len(t) == 0 {
		return nil
	}
	col, ok := a.s.ident(t[0])
	if !ok {
		return nil
	}
	return []issue{{ruleDropColumn, fmt.Sprintf("drops column %s of %s: the running application's reads and writes of it fail, and its data is gone", col, a.name())}}
}

// rename reads RENAME TO/AS t (table), RENAME [COLUMN] a TO b (column; its
// COLUMN is optional on PostgreSQL), MySQL's RENAME t (table), and passes
// RENAME INDEX/KEY/CONSTRAINT.
func (a alterCheck) rename(t []token) []issue {
	switch {
	case len(t) == 0 || t[0].is("index") || t[0].is("key") || t[0].is("constraint"):
		return nil
	case t[0].is("to") || t[0].is("as"):
		if schema, table, _, ok := a.s.qualifiedName(t, 1); ok {
			return []issue{renamesTable(a.name(), display(schema, table))}
		}
		return nil
	case t[0].is("column"):
		t = t[1:]
	case len(t) < 2 || !t[1].is("to"): // MySQL: RENAME new_name
		if schema, table, _, ok := a.s.qualifiedName(t, 0); ok {
			return []issue{renamesTable(a.name(), display(schema, table))}
		}
		return nil
	}
	if len(t) < 3 || !t[1].is("to") {
		return nil
	}
	from, ok1 := a.s.ident(t[0])
	to, ok2 := a.s.ident(t[2])
	if !ok1 || !ok2 {
		return nil
	}
	return []issue{renamesColumn(a.name(), from, to)}
}

func renamesColumn(table, from, to string) issue {
	return issue{ruleRenameColumn, fmt.Sprintf("renames column %s of %s to %s: the running application's reads and writes of %s fail until it is deployed with the new name",
		from, table, to, from)}
}

// change reads MySQL's CHANGE [COLUMN] old new definition.
func (a alterCheck) change(ctx context.Context, t []token) ([]issue, error) {
	t, _ = skipColumnWords(t)
	if len(t) < 2 {
		return nil, nil
	}
	from, ok1 := a.s.ident(t[0])
	to, ok2 := a.s.ident(t[1])
	if !ok1 || !ok2 {
		return nil, nil
	}
	var out []issue
	if !strings.EqualFold(from, to) { // MySQL's column names ignore case
		out = append(out, renamesColumn(a.name(), from, to))
	}
	narrow, err := a.narrowType(ctx, from, a.s.typeWords(t[2:]))
	if out = append(out, narrow...); err != nil {
		return nil, err
	}
	if has(topLevel(t[2:]), "not", "null") {
		is, err := a.nulls(ctx, from)
		out = append(out, is...)
		return out, err
	}
	return out, nil
}

// modify reads MySQL's MODIFY [COLUMN] c definition.
func (a alterCheck) modify(ctx context.Context, t []token) ([]issue, error) {
	t, _ = skipColumnWords(t)
	if len(t) < 2 {
		return nil, nil
	}
	col, ok := a.s.ident(t[0])
	if !ok {
		return nil, nil
	}
	out, err := a.narrowType(ctx, col, a.s.typeWords(t[1:]))
	if err != nil || !has(topLevel(t[1:]), "not", "null") {
		return out, err
	}
	is, err := a.nulls(ctx, col)
	return append(out, is...), err
}

// alterColumn reads PostgreSQL's ALTER [COLUMN] c SET NOT NULL and
// ALTER [COLUMN] c [SET DATA] TYPE type.
func (a alterCheck) alterColumn(ctx context.Context, t []token) ([]issue, error) {
	t, _ = skipColumnWords(t)
	if len(t) < 3 {
		return nil, nil
	}
	col, ok := a.s.ident(t[0])
	switch {
	case !ok:
		return nil, nil
	case words(t[1:], "set", "not", "null"):
		return a.nulls(ctx, col)
	case words(t[1:], "set", "data", "type") && len(t) > 4:
		return a.narrowType(ctx, col, a.s.typeWords(t[4:]))
	case words(t[1:], "type"):
		return a.narrowType(ctx, col, a.s.typeWords(t[2:]))
	}
	return nil, nil
}

// nulls is not-null-no-default of a column made NOT NULL: unsafe when it
// holds NULLs now.
func (a alterCheck) nulls(ctx context.Context, col string) ([]issue, error) {
	found, err := a.db.HasRows(ctx, a.schema, a.table, col)
	if err != nil || !found {
		return nil, err
	}
	return []issue{{ruleNotNull, fmt.Sprintf("makes column %s of %s NOT NULL while it holds NULLs: the statement fails "+
		"(MySQL outside strict mode turns them into 0 or ''), and the running application's writes of NULL fail", col, a.name())}}, nil
}

// constraintWord holds the words after ADD [CONSTRAINT [name]] that add a
// key or constraint, not a column. MySQL's INDEX, KEY, FULLTEXT and SPATIAL
// are reserved; on PostgreSQL they can be a column's name.
func (a alterCheck) constraintWord(t token) bool {
	switch strings.ToLower(t.text) {
	case "unique", "primary", "foreign", "check", "constraint":
		return t.kind == tokWord
	case "exclude":
		return t.kind == tokWord && a.pg
	case "index", "key", "fulltext", "spatial":
		return t.kind == tokWord && !a.pg
	}
	return false
}

func (a alterCheck) add(ctx context.Context, t []token) ([]issue, error) {
	switch {
	case len(t) == 0:
		return nil, nil
	case t[0].punct("("): // MySQL: ADD (c1 def, c2 def)
		inner := t[1:]
		if n := len(inner); n > 0 && inner[n-1].punct(")") {
			inner = inner[:n-1]
		}
		var out []issue
		for _, def := range actions(inner) {
			is, err := a.addColumn(ctx, def)
			if err != nil {
				return nil, err
			}
			out = append(out, is...)
		}
		return out, nil
	case a.constraintWord(t[0]):
		if t[0].is("constraint") {
			t = t[1:]
			if len(t) > 0 && !a.constraintWord(t[0]) { // its name
				t = t[1:]
			}
		}
		if len(t) == 0 {
			return nil, nil
		}
		return a.addConstraint(ctx, t)
	}
	t, _ = skipColumnWords(t)
	return a.addColumn(ctx, t)
}

func (a alterCheck) addConstraint(ctx context.Context, t []token) ([]issue, error) {
	notValid := a.pg && has(topLevel(t), "not", "valid")
	switch {
	case t[0].is("foreign") && a.pg && !notValid:
		return []issue{{ruleValidationLocks, fmt.Sprintf("adds a foreign key to %s validated at once: PostgreSQL scans the table "+
			"holding a SHARE ROW EXCLUSIVE lock on it and on the table it references, blocking their writes until it ends", a.name())}}, nil
	case t[0].is("foreign") && !a.pg:
		return []issue{{ruleValidationLocks, fmt.Sprintf("adds a foreign key to %s: MySQL/MariaDB copies the table to check it "+
			"(in place only with foreign_key_checks=0, unchecked), blocking writes, and hotswap cannot run it online", a.name())}}, nil
	case t[0].is("check") && a.pg && !notValid:
		return []issue{{ruleValidationLocks, fmt.Sprintf("adds a CHECK constraint to %s validated at once: PostgreSQL scans the table "+
			"holding an ACCESS EXCLUSIVE lock, blocking its reads and writes until it ends", a.name())}}, nil
	case t[0].is("unique"):
		cols, _, ok := a.s.indexColumns(t[1:]) // none for PostgreSQL's UNIQUE USING INDEX: the index exists
		if !ok {
			return nil, nil
		}
		return a.duplicates(ctx, a.schema, a.table, cols)
	}
	return nil, nil
}

// serialType holds PostgreSQL's types that come with a default.
var serialType = map[string]bool{"serial": true, "bigserial": true, "smallserial": true, "serial2": true, "serial4": true, "serial8": true}

// addColumn is not-null-no-default of ADD COLUMN c type ... NOT NULL with
// no DEFAULT nor any value of its own (generated, identity,
// AUTO_INCREMENT, serial), on a table that holds rows. Rows are read, not
// estimated: a table just filled, or never analyzed, has an estimate of 0.
func (a alterCheck) addColumn(ctx context.Context, t []token) ([]issue, error) {
	if len(t) < 2 {
		return nil, nil
	}
	col, ok := a.s.ident(t[0])
	def := topLevel(t[1:])
	if !ok || !has(def, "not", "null") || serialType[strings.ToLower(t[1].text)] {
		return nil, nil
	}
	for _, w := range []string{"default", "generated", "auto_increment", "as", "identity"} {
		if has(def, w) {
			return nil, nil
		}
	}
	rows, err := a.db.HasRows(ctx, a.schema, a.table, "")
	if err != nil || !rows {
		return nil, err
	}
	return []issue{{ruleNotNull, fmt.Sprintf("adds column %s NOT NULL without a DEFAULT to %s, which has rows: PostgreSQL refuses it, "+
		"MySQL fills the rows with 0 or '' (no value anyone chose), and the running application's INSERTs that do not name it fail", col, a.name())}}, nil
}
