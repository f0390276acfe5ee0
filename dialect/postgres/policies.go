package postgres

import (
	"context"
	"fmt"
	"strings"
)

// Policy is a row level security policy of the table: the cut-over creates
// it on the new table as it is (command, roles, permissive or restrictive,
// USING and WITH CHECK expressions).
type Policy struct{ Name string }

// RowSecurity is the table's row level security: enabled, forced (on its
// owner too). The cut-over sets the same on the new table.
type RowSecurity struct{ Enabled, Forced bool }

// policyDef is a policy as CREATE POLICY writes it again.
type policyDef struct {
	Policy
	kind, command, roles string // PERMISSIVE|RESTRICTIVE, ALL|SELECT|..., quoted roles or PUBLIC
	using, check         string // expressions, "" for none
}

// policiesQuery lists $1's policies. Role 0 is PUBLIC.
const policiesQuery = `SELECT p.polname::text,
		CASE WHEN p.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END,
		CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
		(SELECT string_agg(CASE WHEN r = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(r)) END, ', ' ORDER BY k) FROM unnest(p.polroles) WITH ORDINALITY u(r, k)),
		coalesce(pg_get_expr(p.polqual, p.polrelid), ''), coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '')
	FROM pg_policy p WHERE p.polrelid = $1 ORDER BY 1`

// readPolicies reads the table's policies with an empty search_path: their
// expressions name functions, types and other tables with their schemas.
func readPolicies(ctx context.Context, q Querier, oid uint32) ([]policyDef, error) {
	var out []policyDef
	err := withEmptySearchPath(ctx, q, func() error {
		rows, err := q.QueryContext(ctx, policiesQuery, oid)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var p policyDef
			if err := rows.Scan(&p.Name, &p.kind, &p.command, &p.roles, &p.using, &p.check); err != nil {
				return err
			}
			out = append(out, p)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("read the policies of the table: %w", err)
	}
	return out, nil
}

func policiesOf(defs []policyDef) []Policy {
	out := make([]Policy, len(defs))
	for i, d := range defs {
		out[i] = d.Policy
	}
	return out
}

// createSQL creates the policy on table (qualified).
func (p policyDef) createSQL(table string) string {
	s := fmt.Sprintf("CREATE POLICY %s ON %s AS %s FOR %s TO %s", QuoteIdent(p.Name), table, p.kind, p.command, p.roles)
	if p.using != "" {
		s += " USING (" + p.using + ")"
	}
	if p.check != "" {
		s += " WITH CHECK (" + p.check + ")"
	}
	return s
}

// readRowSecurity reads the table's row level security flags.
func readRowSecurity(ctx context.Context, q Querier, oid uint32) (RowSecurity, error) {
	var r RowSecurity
	if err := q.QueryRowContext(ctx, "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = $1", oid).Scan(&r.Enabled, &r.Forced); err != nil {
		return r, fmt.Errorf("read the row level security of the table: %w", err)
	}
	return r, nil
}

// setSQL gives table (qualified) these flags; the new table starts without.
func (r RowSecurity) setSQL(table string) []string {
	var out []string
	if r.Enabled {
		out = append(out, "ALTER TABLE "+table+" ENABLE ROW LEVEL SECURITY")
	}
	if r.Forced {
		out = append(out, "ALTER TABLE "+table+" FORCE ROW LEVEL SECURITY")
	}
	return out
}

func (r RowSecurity) String() string {
	var on []string
	if r.Enabled {
		on = append(on, "enabled")
	}
	if r.Forced {
		on = append(on, "forced")
	}
	return strings.Join(on, ", ")
}

// checkRowSecurityReader refuses a table whose row level security applies
// to hotswap's role: the copy, the resync and the checksum would see only
// the rows its policies let it see, and the new table would lack the
// others. It does not apply to a superuser, a BYPASSRLS role, or (unless
// forced) the table's owner and its members.
func checkRowSecurityReader(ctx context.Context, q Querier, schema, table string, oid uint32) error {
	var applies bool
	var role string
	err := q.QueryRowContext(ctx, `SELECT c.relrowsecurity AND NOT (r.rolsuper OR r.rolbypassrls)
			AND (c.relforcerowsecurity OR NOT pg_has_role(current_user, c.relowner, 'USAGE')), current_user::text
		FROM pg_class c, pg_roles r WHERE c.oid = $1 AND r.rolname = current_user`, oid).Scan(&applies, &role)
	if err != nil {
		return fmt.Errorf("read whether row level security applies to hotswap: %w", err)
	}
	if applies {
		return fmt.Errorf("row level security on %s.%s applies to hotswap's role %s: the copy would see only the rows its policies let it see; run hotswap as the table's owner (the table not FORCE ROW LEVEL SECURITY), or grant the role BYPASSRLS (nothing was changed)",
			schema, table, role)
	}
	return nil
}

// checkPolicies: each policy must hold on the new table (an expression
// naming a column the ALTER drops would not): it is created on the probe,
// in the planning transaction.
func (p *probe) checkPolicies(ctx context.Context, defs []policyDef) error {
	for _, d := range defs {
		if _, err := p.conn.ExecContext(ctx, d.createSQL(p.qualified())); err != nil {
			return fmt.Errorf("policy %s on %s.%s cannot be created on the new table: %v; change or drop the policy first (nothing was changed)",
				d.Name, p.schema, p.table, err)
		}
	}
	return nil
}
