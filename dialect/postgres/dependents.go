package postgres

import (
	"context"
	"fmt"
	"strings"
)

// ForeignKey is a foreign key constraint as the cut-over re-creates it: Def
// is pg_get_constraintdef's text read with an empty search_path (every
// table schema-qualified), without " NOT VALID"; Validate says whether it
// was validated (and is validated again after the swap).
type ForeignKey struct {
	Schema, Table string // the table it is declared on
	Name, Def     string
	Validate      bool
	Ref           Rel // the referenced table
}

// Rel names a table.
type Rel struct{ Schema, Table string }

// Trigger is a user trigger of the table: the cut-over moves it to the new
// table with the same definition and enabled state.
type Trigger struct{ Name string }

// Dependents is what binds to the table by OID and is carried to the new
// table at the cut-over: its own foreign keys as the ALTER leaves them
// (Children: on the table, referencing others or itself), the foreign keys
// of other tables referencing it (Parents), its triggers, the views that
// read it, the publications that name it, its row level security,
// policies and rules.
type Dependents struct {
	Children     []ForeignKey // declared on the table (the table is their child)
	Parents      []ForeignKey // declared on other tables, referencing the table
	Triggers     []Trigger
	Views        []View
	Publications []Publication
	Policies     []Policy
	RowSecurity  RowSecurity
	Rules        []Rule

	declared []string // names of the table's own foreign keys when planned
}

// Empty says whether there is nothing to carry.
func (d *Dependents) Empty() bool {
	return d == nil || len(d.Children)+len(d.Parents)+len(d.Triggers)+len(d.Views)+len(d.Publications)+len(d.Policies)+len(d.Rules) == 0 &&
		d.RowSecurity == RowSecurity{}
}

// Related lists the other tables the cut-over alters besides the table,
// each once: those its foreign keys reference and those whose foreign keys
// reference it. Dropping a foreign key locks both its tables ACCESS
// EXCLUSIVE, so the cut-over locks these with the table.
func (d *Dependents) Related(schema, table string) []Rel {
	if d == nil {
		return nil
	}
	seen := map[Rel]bool{{schema, table}: true}
	var out []Rel
	add := func(r Rel) {
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	for _, fk := range d.Children {
		add(fk.Ref)
	}
	for _, fk := range d.Parents {
		add(Rel{fk.Schema, fk.Table})
	}
	for _, v := range d.Views { // a reader of a view holds it, then waits for the table
		add(Rel{v.Schema, v.Name})
	}
	return out
}

// Describe is a line per object and what the cut-over does to it, for the
// plan a dry run prints.
func (d *Dependents) Describe(schema, table string) []string {
	var out []string
	for _, fk := range d.Children {
		out = append(out, fmt.Sprintf("foreign key %s on %s (%s): moved to the new table at the cut-over (NOT VALID)%s",
			fk.Name, schema+"."+table, fk.Def, validatedAfter(fk)))
	}
	for _, fk := range d.Parents {
		out = append(out, fmt.Sprintf("foreign key %s on %s (%s): re-pointed at the new table at the cut-over (NOT VALID)%s",
			fk.Name, fk.Schema+"."+fk.Table, fk.Def, validatedAfter(fk)))
	}
	for _, t := range d.Triggers {
		out = append(out, fmt.Sprintf("trigger %s on %s: moved to the new table at the cut-over, with its enabled state", t.Name, schema+"."+table))
	}
	for _, v := range d.Views {
		out = append(out, fmt.Sprintf("view %s.%s: re-created on the new table at the cut-over (CREATE OR REPLACE VIEW: same columns, owner, grants and options)", v.Schema, v.Name))
	}
	for _, p := range d.Publications {
		out = append(out, fmt.Sprintf("publication %s: publishes the new table from the cut-over on, with the same row filter and column list", p.Name))
	}
	if d.RowSecurity != (RowSecurity{}) {
		out = append(out, fmt.Sprintf("row level security (%s) on %s: set on the new table at the cut-over", d.RowSecurity, schema+"."+table))
	}
	for _, p := range d.Policies {
		out = append(out, fmt.Sprintf("policy %s on %s: created on the new table at the cut-over, as it is", p.Name, schema+"."+table))
	}
	for _, r := range d.Rules {
		out = append(out, fmt.Sprintf("rule %s on %s: created on the new table at the cut-over, as it is", r.Name, schema+"."+table))
	}
	return out
}

func validatedAfter(fk ForeignKey) string {
	if fk.Validate {
		return ", then validated without blocking writes"
	}
	return ", left NOT VALID as it is"
}

// foreignKeysQuery lists foreign keys: $1 the table they are declared on,
// or $2 the table they reference (declared elsewhere); 0 for neither. Only
// top-level ones: a partitioned child's partitions carry clones.
const foreignKeysQuery = `SELECT n.nspname::text, c.relname::text, con.conname::text,
		pg_get_constraintdef(con.oid), con.convalidated, rn.nspname::text, rc.relname::text
	FROM pg_constraint con
	JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
	JOIN pg_class rc ON rc.oid = con.confrelid JOIN pg_namespace rn ON rn.oid = rc.relnamespace
	WHERE con.contype = 'f' AND con.conparentid = 0
	  AND (con.conrelid = $1 OR con.confrelid = $2 AND con.conrelid <> $2)
	ORDER BY 1, 2, 3`

// readForeignKeys runs foreignKeysQuery with an empty search_path, so that
// every definition names its tables with their schema and means the same on
// any connection.
func readForeignKeys(ctx context.Context, q Querier, declaredOn, referencing uint32) ([]ForeignKey, error) {
	var out []ForeignKey
	err := withEmptySearchPath(ctx, q, func() error {
		rows, err := q.QueryContext(ctx, foreignKeysQuery, declaredOn, referencing)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var fk ForeignKey
			if err := rows.Scan(&fk.Schema, &fk.Table, &fk.Name, &fk.Def, &fk.Validate, &fk.Ref.Schema, &fk.Ref.Table); err != nil {
				return err
			}
			fk.Def = strings.TrimSuffix(fk.Def, " NOT VALID")
			out = append(out, fk)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("read foreign keys: %w", err)
	}
	return out, nil
}

// readTriggers lists the table's user triggers (not the internal ones that
// implement foreign keys).
func readTriggers(ctx context.Context, q Querier, oid uint32) ([]Trigger, error) {
	names, err := catalogStrings(ctx, q, `SELECT tgname::text FROM pg_trigger
		WHERE tgrelid = $1 AND NOT tgisinternal ORDER BY 1`, oid)
	if err != nil {
		return nil, fmt.Errorf("read triggers: %w", err)
	}
	out := make([]Trigger, len(names))
	for i, n := range names {
		out[i] = Trigger{Name: n}
	}
	return out, nil
}

// withEmptySearchPath runs fn with search_path empty (withSearchPath):
// catalog functions then qualify every name they print.
func withEmptySearchPath(ctx context.Context, q Querier, fn func() error) error {
	return withSearchPath(ctx, q, "", fn)
}

// withSearchPath runs fn with search_path set to path for the current
// transaction (q must be in one), then puts back the value it had.
func withSearchPath(ctx context.Context, q Querier, path string, fn func() error) error {
	var was string
	if err := q.QueryRowContext(ctx, "SELECT current_setting('search_path')").Scan(&was); err != nil {
		return err
	}
	if _, err := q.ExecContext(ctx, "SELECT set_config('search_path', $1, true)", path); err != nil {
		return err
	}
	ferr := fn()
	_, err := q.ExecContext(ctx, "SELECT set_config('search_path', $1, true)", was)
	if ferr != nil {
		return ferr
	}
	return err
}

// StripForeignKeys drops the foreign keys of schema.shadow (those the ALTER
// added): while the rows are copied and the stream replayed, a foreign key
// would check every row against a referenced table that may have moved on
// (a replayed insert whose parent was deleted since, the delete's cascade
// still to come). The cut-over adds them, as PlanDependents planned.
func StripForeignKeys(ctx context.Context, db Querier, schema, shadow string) error {
	oid, err := catalogRelOID(ctx, db, schema, shadow)
	if err != nil {
		return err
	}
	names, err := catalogStrings(ctx, db, `SELECT conname::text FROM pg_constraint WHERE conrelid = $1 AND contype = 'f' ORDER BY 1`, oid)
	if err != nil {
		return fmt.Errorf("read the foreign keys of %s.%s: %w", schema, shadow, err)
	}
	for _, n := range names {
		if _, err := db.ExecContext(ctx, "ALTER TABLE "+QualifiedName(schema, shadow)+" DROP CONSTRAINT "+QuoteIdent(n)); err != nil {
			return fmt.Errorf("drop foreign key %s of the shadow %s.%s (the cut-over adds it): %w", n, schema, shadow, err)
		}
	}
	return nil
}
