package postgres

import (
	"context"
	"fmt"
)

// boundObjectQueries find what refers to a table by OID. The cut-over
// renames the table away and the shadow in; everything here stays with the
// old table (a view keeps reading it, a foreign key keeps checking it, a
// publication keeps publishing it) or is simply missing on the new one (a
// trigger, a policy). Each query takes the table's OID as $1 and returns one
// readable line per object, names quoted only where they need it.
// Foreign keys, triggers, views, publications, the table's policies, rules
// and row level security are carried (carried: see Dependents).
var boundObjectQueries = []struct {
	kind    string
	carried bool
	query   string
}{
	{"foreign keys", true, `SELECT format('foreign key %I.%I.%I -> %I.%I', sn.nspname, sc.relname, con.conname, rn.nspname, rc.relname)
		FROM pg_constraint con
		JOIN pg_class sc ON sc.oid = con.conrelid JOIN pg_namespace sn ON sn.oid = sc.relnamespace
		JOIN pg_class rc ON rc.oid = con.confrelid JOIN pg_namespace rn ON rn.oid = rc.relnamespace
		WHERE con.contype = 'f' AND $1 IN (con.conrelid, con.confrelid) ORDER BY 1`},
	// A view is a _RETURN rule that depends on the table. Plain views are
	// carried (see Dependents); materialized views and rules are not. The
	// table's own rules depend on it too, but are also looked up directly.
	{"views", true, `SELECT DISTINCT format('view %I.%I', n.nspname, v.relname)
		FROM pg_rewrite r JOIN pg_class v ON v.oid = r.ev_class JOIN pg_namespace n ON n.oid = v.relnamespace
		WHERE r.rulename = '_RETURN' AND v.relkind = 'v' AND r.oid IN (SELECT objid FROM pg_depend
			WHERE classid = 'pg_rewrite'::regclass AND refclassid = 'pg_class'::regclass AND refobjid = $1)
		ORDER BY 1`},
	{"materialized views and other tables' rules", false, `SELECT DISTINCT CASE
			WHEN r.rulename = '_RETURN' AND v.relkind = 'm' THEN format('materialized view %I.%I', n.nspname, v.relname)
			ELSE format('rule %I on %I.%I', r.rulename, n.nspname, v.relname) END
		FROM pg_rewrite r JOIN pg_class v ON v.oid = r.ev_class JOIN pg_namespace n ON n.oid = v.relnamespace
		WHERE NOT (r.rulename = '_RETURN' AND v.relkind = 'v') AND r.ev_class <> $1 AND r.oid IN (SELECT objid FROM pg_depend
			WHERE classid = 'pg_rewrite'::regclass AND refclassid = 'pg_class'::regclass AND refobjid = $1)
		ORDER BY 1`},
	// The table's own rules (carried).
	{"rules", true, `SELECT format('rule %I on %I.%I', r.rulename, n.nspname, v.relname)
		FROM pg_rewrite r JOIN pg_class v ON v.oid = r.ev_class JOIN pg_namespace n ON n.oid = v.relnamespace
		WHERE r.ev_class = $1 AND r.rulename <> '_RETURN' ORDER BY 1`},
	// Policies of other tables whose expressions read the table (bound to
	// the old one), then the table's own (carried).
	{"policies reading it", false, `SELECT format('policy %I on %I.%I', p.polname, n.nspname, c.relname)
		FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE p.polrelid <> $1 AND p.oid IN (SELECT objid FROM pg_depend
			WHERE classid = 'pg_policy'::regclass AND refclassid = 'pg_class'::regclass AND refobjid = $1)
		ORDER BY 1`},
	{"policies", true, `SELECT format('policy %I on %I.%I', p.polname, n.nspname, c.relname)
		FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE p.polrelid = $1 ORDER BY 1`},
	// Enabled without any policy, row level security denies everything to
	// non-owners: losing the flag would open the table. Carried.
	{"row level security", true, `SELECT format('row level security on %I.%I (%s)', n.nspname, c.relname,
			concat_ws(', ', CASE WHEN c.relrowsecurity THEN 'enabled' END, CASE WHEN c.relforcerowsecurity THEN 'forced' END))
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.oid = $1 AND (c.relrowsecurity OR c.relforcerowsecurity)`},
	{"triggers", true, `SELECT format('trigger %I on %I.%I', t.tgname, n.nspname, c.relname)
		FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE t.tgrelid = $1 AND NOT t.tgisinternal ORDER BY 1`},
	// Membership by name (FOR TABLE); FOR ALL TABLES and FOR TABLES IN
	// SCHEMA pick the new table up by themselves. hotswap's own publications
	// are dropped with the run.
	{"publications", true, `SELECT format('publication %I', p.pubname)
		FROM pg_publication_rel pr JOIN pg_publication p ON p.oid = pr.prpubid
		WHERE pr.prrelid = $1 AND p.pubname NOT LIKE 'hotswap\_%' ORDER BY 1`},
	// SQL-standard bodies (BEGIN ATOMIC) are parsed at creation and bind to
	// the table; any function may take or return its row type.
	{"functions", false, `SELECT DISTINCT format('function %s', d.objid::regprocedure)
		FROM pg_depend d
		WHERE d.classid = 'pg_proc'::regclass AND (d.refclassid = 'pg_class'::regclass AND d.refobjid = $1
			OR d.refclassid = 'pg_type'::regclass AND d.refobjid = (SELECT reltype FROM pg_class WHERE oid = $1))
		ORDER BY 1`},
	{"columns of its row type", false, `SELECT format('column %I.%I.%I of type %s', n.nspname, c.relname, a.attname, format_type(a.atttypid, NULL))
		FROM pg_class t JOIN pg_type ty ON ty.oid = t.reltype OR ty.typelem = t.reltype AND ty.typcategory = 'A'
		JOIN pg_attribute a ON a.atttypid = ty.oid AND a.attnum > 0 AND NOT a.attisdropped
		JOIN pg_class c ON c.oid = a.attrelid AND c.relkind IN ('r', 'p', 'f')
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE t.oid = $1 ORDER BY 1`},
	{"inheritance", false, `SELECT CASE
			WHEN i.inhrelid = $1 AND ch.relispartition THEN format('partition of %I.%I', pn.nspname, p.relname)
			WHEN i.inhrelid = $1 THEN format('inherits from %I.%I', pn.nspname, p.relname)
			WHEN ch.relispartition THEN format('partition %I.%I', cn.nspname, ch.relname)
			ELSE format('inherited by %I.%I', cn.nspname, ch.relname) END
		FROM pg_inherits i
		JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = p.relnamespace
		JOIN pg_class ch ON ch.oid = i.inhrelid JOIN pg_namespace cn ON cn.oid = ch.relnamespace
		WHERE $1 IN (i.inhrelid, i.inhparent) ORDER BY 1`},
}

// Objects lists what binds to schema.table by OID and would not follow a
// rename swap: foreign keys in either direction, views and materialized
// views, rules, row level security and its policies, triggers (not the
// internal ones of foreign keys), publications other than hotswap's own
// ("hotswap_" prefix), functions bound to the table or its row type, columns
// of its row type, and inheritance or partitioning. Each is a readable line
// such as "view public.v" or "foreign key public.child.fk_x -> public.t".
// Empty means a rename swap leaves nothing behind.
func Objects(ctx context.Context, db Querier, schema, table string) ([]string, error) {
	return objects(ctx, db, schema, table, true)
}

// ObjectsNotCarried is Objects without what a cut-over given the table's
// Dependents carries to the new table.
func ObjectsNotCarried(ctx context.Context, db Querier, schema, table string) ([]string, error) {
	return objects(ctx, db, schema, table, false)
}

func objects(ctx context.Context, db Querier, schema, table string, withCarried bool) ([]string, error) {
	oid, err := catalogRelOID(ctx, db, schema, table)
	if err != nil {
		return nil, fmt.Errorf("list objects bound to a table: %w", err)
	}
	var all []string
	for _, q := range boundObjectQueries {
		if q.carried && !withCarried {
			continue
		}
		found, err := catalogStrings(ctx, db, q.query, oid)
		if err != nil {
			return nil, fmt.Errorf("list %s bound to %s.%s: %w", q.kind, schema, table, err)
		}
		all = append(all, found...)
	}
	return all, nil
}
