package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
)

// ErrDependentsChanged: the table's foreign keys, triggers, views or
// publications, or the foreign keys of other tables referencing it, are not
// those the run planned for: one was added, dropped or renamed during the run. Retrying
// does not help.
var ErrDependentsChanged = errors.New("foreign keys, triggers, views, publications, policies or rules changed during the run")

// DependentsSQL returns the statements that move deps from schema.table to
// the new table: the old table's own foreign keys dropped and the planned
// ones added to the new table, other tables' foreign keys dropped and added
// again (now referencing the new table), the triggers dropped from the old
// table and created on the new one with their enabled state, the views
// replaced by themselves (now reading the new table), the new table put in
// the old one's place in the publications naming it. Every foreign key is
// added NOT VALID (no scan under the lock); ValidateSQL validates them
// after the COMMIT.
//
// Call it in the cut-over transaction, with the tables locked, before the
// swap's renames (definitions read now name the table, and mean the new
// table once the renames are done), and run what it returns after them.
// together names the other tables of schema swapped in the same
// transaction: their own foreign keys referencing table are theirs to
// carry, not table's.
func DependentsSQL(ctx context.Context, q Querier, schema, table, old string, deps *Dependents, together []string) ([]string, error) {
	if deps == nil {
		return nil, nil
	}
	orig, err := catalogRelOID(ctx, q, schema, table)
	if err != nil {
		return nil, err
	}
	live, err := readLiveDependents(ctx, q, orig)
	if err != nil {
		return nil, err
	}
	live.parents = notDeclaredOn(live.parents, schema, together)
	planned := *deps
	planned.Parents = notDeclaredOn(deps.Parents, schema, together)
	if err := sameDependents(&planned, live); err != nil {
		return nil, err
	}
	views, err := viewsSQL(ctx, q, live.views)
	if err != nil {
		return nil, err
	}
	return append(live.carrySQL(QualifiedName(schema, old), QualifiedName(schema, table), planned.Children), views...), nil
}

// liveDependents is what binds to the table at the cut-over.
type liveDependents struct {
	own, parents []ForeignKey
	triggers     []triggerDef
	views        []View
	publications []publicationEntry
	policies     []policyDef
	rowSecurity  RowSecurity
	rules        []ruleDef // read with an empty search_path: they name the table, the new one after the renames
}

func readLiveDependents(ctx context.Context, q Querier, orig uint32) (live liveDependents, err error) {
	if live.own, err = readForeignKeys(ctx, q, orig, 0); err != nil {
		return live, err
	}
	if live.parents, err = readForeignKeys(ctx, q, 0, orig); err != nil {
		return live, err
	}
	if live.triggers, err = readTriggerDefs(ctx, q, orig); err != nil {
		return live, err
	}
	if live.views, err = readViews(ctx, q, orig); err != nil {
		return live, err
	}
	if live.publications, err = readPublicationEntries(ctx, q, orig); err != nil {
		return live, err
	}
	if live.policies, err = readPolicies(ctx, q, orig); err != nil {
		return live, err
	}
	if live.rowSecurity, err = readRowSecurity(ctx, q, orig); err != nil {
		return live, err
	}
	live.rules, err = readRuleDefs(ctx, q, orig, "")
	return live, err
}

// carrySQL moves the keys and triggers from oldName (the table, renamed)
// to newName (the shadow, renamed), which gets the planned keys.
func (l liveDependents) carrySQL(oldName, newName string, planned []ForeignKey) []string {
	var stmts []string
	for _, fk := range l.own {
		stmts = append(stmts, "ALTER TABLE "+oldName+" DROP CONSTRAINT "+pgx.Identifier{fk.Name}.Sanitize())
	}
	for _, fk := range l.parents {
		child := QualifiedName(fk.Schema, fk.Table)
		stmts = append(stmts, "ALTER TABLE "+child+" DROP CONSTRAINT "+pgx.Identifier{fk.Name}.Sanitize(), addForeignKeySQL(child, fk))
	}
	for _, fk := range planned {
		stmts = append(stmts, addForeignKeySQL(newName, fk))
	}
	for _, t := range l.triggers {
		stmts = append(stmts, "DROP TRIGGER "+pgx.Identifier{t.name}.Sanitize()+" ON "+oldName, t.def)
		if s := t.enabledSQL(newName); s != "" {
			stmts = append(stmts, s)
		}
	}
	for _, p := range l.publications {
		stmts = append(stmts, p.moveSQL(oldName, newName)...)
	}
	stmts = append(stmts, l.rowSecurity.setSQL(newName)...)
	for _, p := range l.policies {
		stmts = append(stmts, p.createSQL(newName))
	}
	for _, r := range l.rules {
		stmts = append(stmts, r.def)
	}
	return stmts
}

// notDeclaredOn leaves out the foreign keys declared on the tables of
// schema named in tables.
func notDeclaredOn(fks []ForeignKey, schema string, tables []string) []ForeignKey {
	var out []ForeignKey
	for _, fk := range fks {
		if fk.Schema != schema || !slices.Contains(tables, fk.Table) {
			out = append(out, fk)
		}
	}
	return out
}

func addForeignKeySQL(on string, fk ForeignKey) string {
	return "ALTER TABLE " + on + " ADD CONSTRAINT " + pgx.Identifier{fk.Name}.Sanitize() + " " + fk.Def + " NOT VALID"
}

// sameDependents compares what is there now with what was planned.
func sameDependents(deps *Dependents, live liveDependents) error {
	fkDef := func(fk ForeignKey) string { return fk.Schema + "." + fk.Table + "." + fk.Name + " " + fk.Def }
	view := func(v View) string { return v.Schema + "." + v.Name }
	for _, c := range []struct {
		what       string
		now, start []string
	}{
		{"its own foreign keys", namesOf(live.own, func(fk ForeignKey) string { return fk.Name }), deps.declared},
		{"foreign keys referencing it", namesOf(live.parents, fkDef), namesOf(deps.Parents, fkDef)},
		{"its triggers", namesOf(live.triggers, func(t triggerDef) string { return t.name }), namesOf(deps.Triggers, func(t Trigger) string { return t.Name })},
		{"the views reading it", namesOf(live.views, view), namesOf(deps.Views, view)},
		{"the publications naming it", namesOf(live.publications, func(p publicationEntry) string { return p.Name }),
			namesOf(deps.Publications, func(p Publication) string { return p.Name })},
		{"its policies", namesOf(live.policies, func(p policyDef) string { return p.Name }), namesOf(deps.Policies, func(p Policy) string { return p.Name })},
		{"its rules", namesOf(live.rules, func(r ruleDef) string { return r.Name }), namesOf(deps.Rules, func(r Rule) string { return r.Name })},
		{"its row level security", []string{live.rowSecurity.String()}, []string{deps.RowSecurity.String()}},
	} {
		if !slices.Equal(c.now, c.start) {
			return fmt.Errorf("%w: %s were [%s] when the run started and are [%s] now: run the migration again",
				ErrDependentsChanged, c.what, strings.Join(c.start, ", "), strings.Join(c.now, ", "))
		}
	}
	return nil
}

// namesOf is name of each of xs, in order (nil for none, as the plan has).
func namesOf[T any](xs []T, name func(T) string) []string {
	var out []string
	for _, x := range xs {
		out = append(out, name(x))
	}
	return out
}

// triggerDef is a trigger as the cut-over re-creates it.
type triggerDef struct {
	name, def string
	enabled   string // pg_trigger.tgenabled: O origin (the default), D disabled, R replica, A always
}

func (t triggerDef) enabledSQL(on string) string {
	mode := map[string]string{"D": "DISABLE", "R": "ENABLE REPLICA", "A": "ENABLE ALWAYS"}[t.enabled]
	if mode == "" {
		return ""
	}
	return "ALTER TABLE " + on + " " + mode + " TRIGGER " + pgx.Identifier{t.name}.Sanitize()
}

// readTriggerDefs reads the table's user triggers' definitions with an
// empty search_path (the table and function schema-qualified).
func readTriggerDefs(ctx context.Context, q Querier, oid uint32) ([]triggerDef, error) {
	var out []triggerDef
	err := withEmptySearchPath(ctx, q, func() error {
		rows, err := q.QueryContext(ctx, `SELECT tgname::text, pg_get_triggerdef(oid), tgenabled::text FROM pg_trigger
			WHERE tgrelid = $1 AND NOT tgisinternal ORDER BY 1`, oid)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var t triggerDef
			if err := rows.Scan(&t.name, &t.def, &t.enabled); err != nil {
				return err
			}
			out = append(out, t)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("read the triggers' definitions: %w", err)
	}
	return out, nil
}

// Validation is a foreign key to validate after the cut-over.
type Validation struct{ What, SQL string }

// ValidateSQL lists the VALIDATE CONSTRAINT statements for the foreign keys
// the cut-over added NOT VALID that were valid before. VALIDATE scans the
// table holding the key under SHARE UPDATE EXCLUSIVE, which lets writes go on.
func ValidateSQL(schema, table string, deps *Dependents) []Validation {
	if deps == nil {
		return nil
	}
	var out []Validation
	add := func(on Rel, fk ForeignKey) {
		if fk.Validate {
			out = append(out, Validation{What: "foreign key " + fk.Name + " on " + on.Schema + "." + on.Table,
				SQL: "ALTER TABLE " + QualifiedName(on.Schema, on.Table) + " VALIDATE CONSTRAINT " + pgx.Identifier{fk.Name}.Sanitize()})
		}
	}
	for _, fk := range deps.Children {
		add(Rel{schema, table}, fk)
	}
	for _, fk := range deps.Parents {
		add(Rel{fk.Schema, fk.Table}, fk)
	}
	return out
}
