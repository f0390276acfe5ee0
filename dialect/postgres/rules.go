package postgres

import (
	"context"
	"fmt"
	"strings"
)

// Rule is a rule of the table (CREATE RULE ... ON event TO the table): the
// cut-over creates it on the new table as it is.
type Rule struct{ Name string }

// ruleDef is a rule as pg_get_ruledef writes it.
type ruleDef struct {
	Rule
	def string
}

// readRuleDefs reads the table's own rules (not a view's _RETURN), with
// search_path set to path ("" qualifies every name).
func readRuleDefs(ctx context.Context, q Querier, oid uint32, path string) ([]ruleDef, error) {
	var out []ruleDef
	err := withSearchPath(ctx, q, path, func() error {
		rows, err := q.QueryContext(ctx, `SELECT rulename::text, pg_get_ruledef(oid) FROM pg_rewrite
			WHERE ev_class = $1 AND rulename <> '_RETURN' ORDER BY 1`, oid)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r ruleDef
			if err := rows.Scan(&r.Name, &r.def); err != nil {
				return err
			}
			r.def = strings.TrimSuffix(strings.TrimSpace(r.def), ";")
			out = append(out, r)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("read the rules of the table: %w", err)
	}
	return out, nil
}

func rulesOf(defs []ruleDef) []Rule {
	out := make([]Rule, len(defs))
	for i, d := range defs {
		out[i] = d.Rule
	}
	return out
}

// checkRules: each rule must hold on the new table: created on the probe,
// moved into space under the table's name (see checkViews), from its
// definition read with the table's schema on the search_path (the names
// its body uses resolve as they would for the new table; pg_get_ruledef
// qualifies the rule's own table, which is replaced by the probe's).
func (p *probe) checkRules(ctx context.Context, defs []ruleDef, space string) error {
	var printed string
	if err := p.conn.QueryRowContext(ctx, "SELECT quote_ident($1) || '.' || quote_ident($2)", p.schema, p.table).Scan(&printed); err != nil {
		return err
	}
	for _, d := range defs {
		def := strings.Replace(d.def, " TO "+printed, " TO "+QualifiedName(space, p.table), 1)
		if _, err := p.conn.ExecContext(ctx, def); err != nil {
			return fmt.Errorf("rule %s on %s.%s cannot be created on the new table: %v; change or drop the rule first, and create it again after (nothing was changed)",
				d.Name, p.schema, p.table, err)
		}
	}
	return nil
}
