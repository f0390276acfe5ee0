package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5"
)

// probeLockWait bounds each lock the probe waits for (its foreign keys
// lock the tables they reference until it rolls back).
const probeLockWait = "5s"

// PlanDependents reads what binds to schema.table and is carried to the new
// table at the cut-over (see Dependents), and asks the server what the ALTER
// makes of it, changing nothing: in a transaction rolled back at once, a
// copy of the table named probe (LIKE ... INCLUDING ALL) gets the table's
// foreign keys (NOT VALID: the copy is empty), then the ALTER; the foreign
// keys left are the new table's, exactly as the server's own ALTER would
// leave them (a dropped column takes its foreign key along, a retyped one
// must still match the referenced key). It refuses, with the object's name:
//   - a foreign key the ALTER adds without NOT VALID (the new table gets it
//     only at the cut-over, after the rows are in);
//   - a foreign key of another table whose referenced columns the ALTER
//     changes so that they can no longer be referenced;
//   - a trigger that names a column the ALTER drops or renames (in UPDATE OF,
//     its WHEN condition, or its function's source);
//   - a policy that does not hold on the new table, a publication entry
//     that does not, a view that does not (see the checks);
//   - row level security that applies to hotswap's role (the copy would
//     see only some rows).
func PlanDependents(ctx context.Context, db *sql.DB, schema, table, probe, alter string) (*Dependents, error) {
	var deps *Dependents
	err := rolledBack(ctx, db, func(conn *sql.Conn) (err error) {
		deps, err = planDependentsIn(ctx, conn, schema, table, probe, alter)
		return err
	})
	return deps, err
}

func planDependentsIn(ctx context.Context, conn *sql.Conn, schema, table, probe, alter string) (*Dependents, error) {
	if _, err := conn.ExecContext(ctx, "SELECT set_config('lock_timeout', $1, true)", probeLockWait); err != nil {
		return nil, err
	}
	orig, err := catalogRelOID(ctx, conn, schema, table)
	if err != nil {
		return nil, err
	}
	deps := &Dependents{}
	if deps.Children, err = readForeignKeys(ctx, conn, orig, 0); err != nil {
		return nil, err
	}
	if deps.Parents, err = readForeignKeys(ctx, conn, 0, orig); err != nil {
		return nil, err
	}
	if deps.Triggers, err = readTriggers(ctx, conn, orig); err != nil {
		return nil, err
	}
	if deps.Views, err = readViews(ctx, conn, orig); err != nil {
		return nil, err
	}
	pubs, err := readPublicationEntries(ctx, conn, orig)
	if err != nil {
		return nil, err
	}
	deps.Publications = publicationsOf(pubs)
	if deps.RowSecurity, err = readRowSecurity(ctx, conn, orig); err != nil {
		return nil, err
	}
	if err := checkRowSecurityReader(ctx, conn, schema, table, orig); err != nil {
		return nil, err
	}
	policies, err := readPolicies(ctx, conn, orig)
	if err != nil {
		return nil, err
	}
	deps.Policies = policiesOf(policies)
	rules, err := readRuleDefs(ctx, conn, orig, "")
	if err != nil {
		return nil, err
	}
	deps.Rules = rulesOf(rules)
	if deps.Empty() {
		return deps, nil
	}
	for _, fk := range deps.Children {
		deps.declared = append(deps.declared, fk.Name)
	}
	p, err := newProbe(ctx, conn, schema, table, probe, orig, deps.Children, alter)
	if err != nil {
		return nil, err
	}
	if deps.Children, err = p.children(ctx, deps.Children); err != nil {
		return nil, err
	}
	if err := p.checkParents(ctx, deps.Parents); err != nil {
		return nil, err
	}
	if err := p.checkTriggers(ctx); err != nil {
		return nil, err
	}
	if err := p.checkPolicies(ctx, policies); err != nil {
		return nil, err
	}
	if err := p.checkPublications(ctx, pubs); err != nil {
		return nil, err
	}
	p.hasRules = len(rules) > 0
	if err := p.checkViews(ctx, deps.Views); err != nil { // last: it moves the probe
		return nil, err
	}
	return deps, nil
}

// probe is the table's copy with the ALTER applied, inside the planning
// transaction.
type probe struct {
	conn                *sql.Conn
	schema, table, name string
	orig, oid           uint32
	hasRules            bool // the table has rules (tried with the views)
}

func newProbe(ctx context.Context, conn *sql.Conn, schema, table, name string, orig uint32, fks []ForeignKey, alter string) (*probe, error) {
	p := &probe{conn: conn, schema: schema, table: table, name: name, orig: orig}
	if _, err := conn.ExecContext(ctx, "CREATE TABLE "+p.qualified()+" (LIKE "+QualifiedName(schema, table)+" INCLUDING ALL)"); err != nil {
		return nil, fmt.Errorf("create the probe table %s.%s: %w", schema, name, err)
	}
	var err error
	if p.oid, err = catalogRelOID(ctx, conn, schema, name); err != nil {
		return nil, err
	}
	for _, fk := range fks {
		stmt := fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s %s NOT VALID", p.qualified(), pgx.Identifier{fk.Name}.Sanitize(), fk.Def)
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return nil, fmt.Errorf("copy foreign key %s of %s.%s to the probe table (%s is locked while it is added; another session held it for %s?): %w",
				fk.Name, schema, table, fk.Ref.Schema+"."+fk.Ref.Table, probeLockWait, err)
		}
	}
	names, err := readShadowNames(ctx, conn, table, name, orig, p.oid)
	if err != nil {
		return nil, err
	}
	if err := execOne(ctx, conn, "ALTER TABLE "+p.qualified()+" "+names.rewrite(alter)); err != nil {
		return nil, fmt.Errorf("the ALTER is not valid for %s.%s with its foreign keys and triggers: %w (nothing was changed)", schema, table, err)
	}
	return p, nil
}

func (p *probe) qualified() string { return QualifiedName(p.schema, p.name) }

// children returns the probe's foreign keys as the new table's: an original
// one (same name and definition) is validated after the swap if it was
// before; one the ALTER added must be NOT VALID.
func (p *probe) children(ctx context.Context, before []ForeignKey) ([]ForeignKey, error) {
	after, err := readForeignKeys(ctx, p.conn, p.oid, 0)
	if err != nil {
		return nil, err
	}
	byName := map[string]ForeignKey{}
	for _, fk := range before {
		byName[fk.Name] = fk
	}
	for i, fk := range after {
		fk.Schema, fk.Table = p.schema, p.table
		if was, ok := byName[fk.Name]; ok && was.Def == fk.Def {
			fk.Validate = fk.Validate || was.Validate
		} else if fk.Validate {
			return nil, fmt.Errorf("the ALTER adds foreign key %s (%s): hotswap can add it only as NOT VALID (the new table gets it at the cut-over, after the rows are in): add NOT VALID to it, and run ALTER TABLE %s VALIDATE CONSTRAINT %s after the migration",
				fk.Name, fk.Def, p.schema+"."+p.table, pgx.Identifier{fk.Name}.Sanitize())
		}
		after[i] = fk
	}
	return after, nil
}

// checkParents: each foreign key of another table must be able to
// reference the new table: the probe is referenced, in the planning
// transaction, by an empty copy of the other table's columns.
func (p *probe) checkParents(ctx context.Context, fks []ForeignKey) error {
	for i, fk := range fks {
		var kind string
		if err := p.conn.QueryRowContext(ctx, "SELECT relkind::text FROM pg_class WHERE oid = $1::regclass",
			QualifiedName(fk.Schema, fk.Table)).Scan(&kind); err != nil {
			return fmt.Errorf("read %s.%s: %w", fk.Schema, fk.Table, err)
		}
		if kind == "p" { // PostgreSQL takes NOT VALID foreign keys on partitioned tables only from 18 on
			return fmt.Errorf("foreign key %s of the partitioned table %s.%s references %s.%s: the cut-over re-adds it NOT VALID, which PostgreSQL does not allow on a partitioned table; drop it before and add it after (nothing was changed)",
				fk.Name, fk.Schema, fk.Table, p.schema, p.table)
		}
		cols, refCols, err := foreignKeyColumns(ctx, p.conn, fk)
		if err != nil {
			return err
		}
		child := QualifiedName(p.schema, fmt.Sprintf("%s_c%d", p.name, i))
		if _, err := p.conn.ExecContext(ctx, "CREATE TABLE "+child+" (LIKE "+QualifiedName(fk.Schema, fk.Table)+")"); err != nil {
			return fmt.Errorf("copy %s.%s to check its foreign key %s: %w", fk.Schema, fk.Table, fk.Name, err)
		}
		stmt := fmt.Sprintf("ALTER TABLE %s ADD FOREIGN KEY (%s) REFERENCES %s (%s) NOT VALID", child, cols, p.qualified(), refCols)
		if _, err := p.conn.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("foreign key %s of %s.%s references (%s) of %s.%s, which after the ALTER it could not: %v; change or drop that foreign key first (nothing was changed)",
				fk.Name, fk.Schema, fk.Table, refCols, p.schema, p.table, err)
		}
	}
	return nil
}

// foreignKeyColumns lists a foreign key's columns and the columns it
// references, quoted and comma-separated.
func foreignKeyColumns(ctx context.Context, q Querier, fk ForeignKey) (cols, refCols string, err error) {
	err = q.QueryRowContext(ctx, `SELECT
		(SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY k.i) FROM unnest(con.conkey) WITH ORDINALITY k(n, i)
			JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n),
		(SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY k.i) FROM unnest(con.confkey) WITH ORDINALITY k(n, i)
			JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n)
		FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relname = $2 AND con.conname = $3 AND con.contype = 'f'`, fk.Schema, fk.Table, fk.Name).Scan(&cols, &refCols)
	if err != nil {
		return "", "", fmt.Errorf("read the columns of foreign key %s on %s.%s: %w", fk.Name, fk.Schema, fk.Table, err)
	}
	return cols, refCols, nil
}

// triggerColumnsQuery lists, per trigger of $1, the columns it names where
// the server tracks them: UPDATE OF and its WHEN condition.
const triggerColumnsQuery = `SELECT t.tgname::text, a.attname::text FROM pg_trigger t
		JOIN pg_attribute a ON a.attrelid = t.tgrelid AND a.attnum = ANY (t.tgattr)
		WHERE t.tgrelid = $1 AND NOT t.tgisinternal
	UNION
	SELECT t.tgname::text, a.attname::text FROM pg_trigger t
		JOIN pg_depend d ON d.classid = 'pg_trigger'::regclass AND d.objid = t.oid
			AND d.refclassid = 'pg_class'::regclass AND d.refobjid = t.tgrelid AND d.refobjsubid > 0
		JOIN pg_attribute a ON a.attrelid = t.tgrelid AND a.attnum = d.refobjsubid
		WHERE t.tgrelid = $1 AND NOT t.tgisinternal`

// checkTriggers refuses a trigger that names a column the ALTER drops or
// renames: moved to the new table it would fail, or read another column.
// Function bodies are not tracked by the server: a whole-word match of the
// column's name in the source counts (it may also be a variable of that
// name; rename the variable, or drop the trigger for the migration).
func (p *probe) checkTriggers(ctx context.Context) error {
	gone, err := catalogStrings(ctx, p.conn, `SELECT a.attname::text FROM pg_attribute a
		WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped
		AND NOT EXISTS (SELECT 1 FROM pg_attribute b WHERE b.attrelid = $2 AND b.attname = a.attname AND b.attnum > 0 AND NOT b.attisdropped)
		ORDER BY 1`, p.orig, p.oid)
	if err != nil || len(gone) == 0 {
		return err
	}
	isGone := map[string]bool{}
	for _, c := range gone {
		isGone[c] = true
	}
	rows, err := p.conn.QueryContext(ctx, triggerColumnsQuery, p.orig)
	if err != nil {
		return fmt.Errorf("read the columns of the triggers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var trigger, column string
		if err := rows.Scan(&trigger, &column); err != nil {
			return err
		}
		if isGone[column] {
			return triggerRefusal(trigger, "names column "+column+" (UPDATE OF or WHEN)", p.schema, p.table)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return p.checkTriggerSources(ctx, gone)
}

func (p *probe) checkTriggerSources(ctx context.Context, gone []string) error {
	rows, err := p.conn.QueryContext(ctx, `SELECT t.tgname::text, f.proname::text, f.prosrc FROM pg_trigger t
		JOIN pg_proc f ON f.oid = t.tgfoid WHERE t.tgrelid = $1 AND NOT t.tgisinternal ORDER BY 1`, p.orig)
	if err != nil {
		return fmt.Errorf("read the functions of the triggers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var trigger, fn, src string
		if err := rows.Scan(&trigger, &fn, &src); err != nil {
			return err
		}
		for _, c := range gone {
			if namesColumn(src, c) {
				return triggerRefusal(trigger, "runs function "+fn+", whose source names column "+c, p.schema, p.table)
			}
		}
	}
	return rows.Err()
}

// namesColumn says whether src has column as a whole word, quoted or not.
func namesColumn(src, column string) bool {
	word := `(^|[^\pL\pN_$])` + regexp.QuoteMeta(column) + `($|[^\pL\pN_$])`
	if column == strings.ToLower(column) {
		word = `(?i)` + word
	}
	return regexp.MustCompile(word).MatchString(src) || strings.Contains(src, `"`+column+`"`)
}

func triggerRefusal(trigger, what, schema, table string) error {
	return fmt.Errorf("trigger %s on %s %s, which the ALTER drops or renames: moved to the new table it would fail or read another column; change or drop the trigger first (nothing was changed)",
		trigger, schema+"."+table, what)
}
