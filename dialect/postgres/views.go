package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
)

// View is a view that selects from the table: the cut-over re-creates it
// (CREATE OR REPLACE VIEW, so it keeps its OID, owner, grants and the views
// built on it) reading the new table.
type View struct{ Schema, Name string }

// viewsQuery lists the plain views whose query reads $1 directly (views on
// those views follow them: the replaced view keeps its OID).
const viewsQuery = `SELECT DISTINCT n.nspname::text, v.relname::text FROM pg_depend d
	JOIN pg_rewrite r ON r.oid = d.objid JOIN pg_class v ON v.oid = r.ev_class
	JOIN pg_namespace n ON n.oid = v.relnamespace
	WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass AND d.refobjid = $1
	  AND r.rulename = '_RETURN' AND v.relkind = 'v' AND v.oid <> $1
	ORDER BY 1, 2`

func readViews(ctx context.Context, q Querier, oid uint32) ([]View, error) {
	rows, err := q.QueryContext(ctx, viewsQuery, oid)
	if err != nil {
		return nil, fmt.Errorf("read the views of the table: %w", err)
	}
	defer rows.Close()
	var out []View
	for rows.Next() {
		var v View
		if err := rows.Scan(&v.Schema, &v.Name); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// viewDef is a view as CREATE OR REPLACE VIEW writes it again.
type viewDef struct {
	View
	query   string // pg_get_viewdef
	options string // reloptions (check_option, security_barrier, security_invoker), comma-separated
}

// readViewDefs reads each view's query with search_path set to path (""
// qualifies every name), and its options.
func readViewDefs(ctx context.Context, q Querier, views []View, path string) ([]viewDef, error) {
	var out []viewDef
	err := withSearchPath(ctx, q, path, func() error {
		for _, v := range views {
			d := viewDef{View: v}
			err := q.QueryRowContext(ctx, `SELECT pg_get_viewdef(c.oid), coalesce(array_to_string(c.reloptions, ', '), '')
				FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2`,
				v.Schema, v.Name).Scan(&d.query, &d.options)
			if err != nil {
				return fmt.Errorf("read view %s.%s: %w", v.Schema, v.Name, err)
			}
			out = append(out, d)
		}
		return nil
	})
	return out, err
}

// replaceSQL re-creates the view under name (schema-qualified, quoted).
func (d viewDef) replaceSQL(name string) string {
	with := ""
	if d.options != "" {
		with = " WITH (" + d.options + ")"
	}
	return "CREATE OR REPLACE VIEW " + name + with + " AS " + strings.TrimSuffix(strings.TrimSpace(d.query), ";")
}

// viewColumns lists a view's columns as "name type", in order.
func viewColumns(ctx context.Context, q Querier, schema, name string) ([]string, error) {
	return catalogStrings(ctx, q, `SELECT quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod)
		FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`, schema, name)
}

// checkViews: each view must read the new table as it is: the probe, moved
// into a schema of its own under the table's name, is what the view's
// query finds first on the search_path; the view made there must have the
// same columns (names and types) as the real one, or CREATE OR REPLACE
// would fail at the cut-over; and hotswap must be allowed to replace it.
//
// The table's rules are tried there too (checkRules).
func (p *probe) checkViews(ctx context.Context, views []View) error {
	if len(views) == 0 && !p.hasRules {
		return nil
	}
	defs, err := readViewDefs(ctx, p.conn, views, QuoteIdent(p.schema))
	if err != nil {
		return err
	}
	rules, err := readRuleDefs(ctx, p.conn, p.orig, QuoteIdent(p.schema))
	if err != nil {
		return err
	}
	space := p.name + "_views"
	for _, s := range []string{
		"CREATE SCHEMA " + QuoteIdent(space),
		"ALTER TABLE " + p.qualified() + " SET SCHEMA " + QuoteIdent(space),
		"ALTER TABLE " + QualifiedName(space, p.name) + " RENAME TO " + QuoteIdent(p.table),
	} {
		if _, err := p.conn.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("prepare the probe of the views: %s: %w", s, err)
		}
	}
	return withSearchPath(ctx, p.conn, QuoteIdent(space)+", "+QuoteIdent(p.schema), func() error {
		for i, d := range defs {
			if err := p.checkView(ctx, d, QualifiedName(space, fmt.Sprintf("view_%d", i)), space, fmt.Sprintf("view_%d", i)); err != nil {
				return err
			}
		}
		return p.checkRules(ctx, rules, space)
	})
}

func (p *probe) checkView(ctx context.Context, d viewDef, probeName, space, name string) error {
	var mayReplace bool
	if err := p.conn.QueryRowContext(ctx, `SELECT pg_has_role(c.relowner, 'USAGE') FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2`, d.Schema, d.Name).Scan(&mayReplace); err != nil {
		return err
	}
	if !mayReplace {
		return fmt.Errorf("view %s.%s reads %s.%s and must be re-created on the new table, but hotswap's role is not a member of its owner: GRANT the owner's role to it, or drop the view before and create it after (nothing was changed)",
			d.Schema, d.Name, p.schema, p.table)
	}
	if _, err := p.conn.ExecContext(ctx, d.replaceSQL(probeName)); err != nil {
		return fmt.Errorf("view %s.%s reads %s.%s and would not hold on the new table: %v; change the view or the ALTER, or drop the view before and create it after (nothing was changed)",
			d.Schema, d.Name, p.schema, p.table, err)
	}
	was, err := viewColumns(ctx, p.conn, d.Schema, d.Name)
	if err != nil {
		return err
	}
	now, err := viewColumns(ctx, p.conn, space, name)
	if err != nil {
		return err
	}
	if !slices.Equal(was, now) {
		return fmt.Errorf("view %s.%s would change its columns on the new table ((%s) instead of (%s)), which PostgreSQL cannot do in place (the server's own ALTER would refuse too); drop the view before and create it after (nothing was changed)",
			d.Schema, d.Name, strings.Join(now, ", "), strings.Join(was, ", "))
	}
	return nil
}

// viewsSQL re-creates the views on the new table: their queries read
// with an empty search_path before the swap's renames name the table,
// which after them is the new one.
func viewsSQL(ctx context.Context, q Querier, views []View) ([]string, error) {
	defs, err := readViewDefs(ctx, q, views, "")
	if err != nil {
		return nil, err
	}
	out := make([]string, len(defs))
	for i, d := range defs {
		out[i] = d.replaceSQL(pgx.Identifier{d.Schema, d.Name}.Sanitize())
	}
	return out, nil
}
