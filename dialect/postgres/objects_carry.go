package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// carryPair is the original table and its shadow, for the CarryOverSQL parts.
type carryPair struct {
	orig, shadow uint32
	target       string   // the shadow's name, quoted and qualified
	except       AlterSet // settings left as the shadow has them
}

// CarryOverSQL returns the statements that give schema.shadow what CREATE
// TABLE (LIKE ... INCLUDING ALL) does not copy from schema.table and an
// ALTER TABLE cannot set: the owner, table and column privileges (from
// relacl/attacl; privileges the shadow got from default privileges but the
// table lacks are revoked) and the table comment (column comments come with
// INCLUDING COMMENTS). None when the shadow already matches. The settings an
// ALTER can set (storage parameters, replica identity, statistics targets,
// column options) are not here: CreateShadow gives them to the shadow before
// the ALTER (CarrySettingsSQL), so what the ALTER sets is kept.
//
// Run them on the shadow before the cut-over, in one transaction (the
// privileges are revoked, then granted), as the table's owner or a member of
// its role. Grants are re-made by the owner: who granted them originally is
// not kept. ALTER SEQUENCE ... OWNED BY in the cut-over needs the shadow to
// have the table's owner.
func CarryOverSQL(ctx context.Context, db Querier, schema, table, shadow string) ([]string, error) {
	return carrySQL(ctx, db, schema, table, shadow, []carryPart{
		{"owner", carryOwner}, {"privileges", carryGrants}, {"comment", carryComment},
	}, nil)
}

// CarrySettingsSQL returns the statements that give schema.shadow the
// settings of schema.table that an ALTER TABLE may also set and LIKE does
// not copy: storage parameters (toast.* too; extra ones on the shadow are
// reset), the replica identity (USING INDEX names the shadow's counterpart),
// the index the table is clustered on (CLUSTER ON), per-column statistics
// targets and options. Columns are matched by name. Settings in except
// (AlterSettings: the ALTER's) are left as the shadow has them.
//
// CreateShadow runs them (except none) right after LIKE and before the
// user's ALTER, so the shadow ends as the server's own ALTER would leave the
// table: a setting the ALTER names wins (REPLICA IDENTITY FULL, SET
// (fillfactor = 70), SET STATISTICS), every other one is the table's. The
// cut-over runs them again with the ALTER's settings excepted, following
// what changed on the table during the run; without them (AlterSettings
// failed) it runs none, and the shadow keeps what it got at creation.
func CarrySettingsSQL(ctx context.Context, db Querier, schema, table, shadow string, except AlterSet) ([]string, error) {
	return carrySQL(ctx, db, schema, table, shadow, []carryPart{
		{"storage parameters", carryOptions}, {"replica identity", carryReplicaIdentity},
		{"clustering index", carryCluster}, {"statistics targets", carryStatisticsTargets},
	}, except)
}

type carryPart struct {
	what string
	gen  func(context.Context, Querier, carryPair) ([]string, error)
}

func carrySQL(ctx context.Context, db Querier, schema, table, shadow string, parts []carryPart, except AlterSet) ([]string, error) {
	p, err := newCarryPair(ctx, db, schema, table, shadow)
	if err != nil {
		return nil, fmt.Errorf("carry %s.%s over to %s: %w", schema, table, shadow, err)
	}
	p.except = except
	var stmts []string
	for _, part := range parts {
		s, err := part.gen(ctx, db, p)
		if err != nil {
			return nil, fmt.Errorf("carry the %s of %s.%s over to %s: %w", part.what, schema, table, shadow, err)
		}
		stmts = append(stmts, s...)
	}
	return stmts, nil
}

func newCarryPair(ctx context.Context, db Querier, schema, table, shadow string) (carryPair, error) {
	orig, err := catalogRelOID(ctx, db, schema, table)
	if err != nil {
		return carryPair{}, err
	}
	shad, err := catalogRelOID(ctx, db, schema, shadow)
	if err != nil {
		return carryPair{}, err
	}
	return carryPair{orig: orig, shadow: shad, target: pgx.Identifier{schema, shadow}.Sanitize()}, nil
}

// carryOwner comes first: the privilege statements expect the shadow's owner
// entries to have moved to the table's owner, as ALTER ... OWNER does.
func carryOwner(ctx context.Context, db Querier, p carryPair) ([]string, error) {
	var orig, shadow string
	err := db.QueryRowContext(ctx, `SELECT pg_get_userbyid(o.relowner)::text, pg_get_userbyid(s.relowner)::text
		FROM pg_class o, pg_class s WHERE o.oid = $1 AND s.oid = $2`, p.orig, p.shadow).Scan(&orig, &shadow)
	if err != nil || orig == shadow {
		return nil, err
	}
	return []string{"ALTER TABLE " + p.target + " OWNER TO " + pgx.Identifier{orig}.Sanitize()}, nil
}

// carryComment quotes on the server (quote_literal), so no escaping rule of
// ours can disagree with the server's.
func carryComment(ctx context.Context, db Querier, p carryPair) ([]string, error) {
	var orig, shadow string
	err := db.QueryRowContext(ctx, `SELECT quote_nullable(obj_description($1, 'pg_class')),
		quote_nullable(obj_description($2, 'pg_class'))`, p.orig, p.shadow).Scan(&orig, &shadow)
	if err != nil || orig == shadow {
		return nil, err
	}
	return []string{"COMMENT ON TABLE " + p.target + " IS " + orig}, nil
}

// carryReplicaIdentity: USING INDEX names the shadow's counterpart of the
// table's identity index; without one the ALTER dropped or changed it, and
// the shadow cannot be given the same identity.
func carryReplicaIdentity(ctx context.Context, db Querier, p carryPair) ([]string, error) {
	if p.except["replident"] {
		return nil, nil
	}
	var orig, shadow, origIndex, shadowIndex string
	err := db.QueryRowContext(ctx, `SELECT o.relreplident::text, s.relreplident::text,
		coalesce((SELECT c.relname::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = o.oid AND i.indisreplident), ''),
		coalesce((SELECT c.relname::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = s.oid AND i.indisreplident), '')
		FROM pg_class o, pg_class s WHERE o.oid = $1 AND s.oid = $2`, p.orig, p.shadow).Scan(&orig, &shadow, &origIndex, &shadowIndex)
	if err != nil {
		return nil, err
	}
	if orig == "i" && origIndex == "" {
		orig = "n" // its index was dropped: the table behaves as NOTHING
	}
	clause := map[string]string{"d": "DEFAULT", "f": "FULL", "n": "NOTHING"}[orig]
	if orig == "i" {
		want, err := counterpartIndex(ctx, db, p.orig, p.shadow, origIndex)
		if err != nil {
			return nil, err
		}
		clause = "USING INDEX " + pgx.Identifier{want}.Sanitize()
		if shadow == "i" && shadowIndex == want {
			return nil, nil
		}
	} else if orig == shadow {
		return nil, nil
	}
	return []string{"ALTER TABLE " + p.target + " REPLICA IDENTITY " + clause}, nil
}

// carryCluster gives the shadow the counterpart of the index the table is
// clustered on, or none (SET WITHOUT CLUSTER).
func carryCluster(ctx context.Context, db Querier, p carryPair) ([]string, error) {
	if p.except["cluster"] {
		return nil, nil
	}
	var origIndex, shadowIndex string
	err := db.QueryRowContext(ctx, `SELECT
		coalesce((SELECT c.relname::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = $1 AND i.indisclustered), ''),
		coalesce((SELECT c.relname::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = $2 AND i.indisclustered), '')`,
		p.orig, p.shadow).Scan(&origIndex, &shadowIndex)
	if err != nil {
		return nil, err
	}
	if origIndex == "" {
		if shadowIndex == "" {
			return nil, nil
		}
		return []string{"ALTER TABLE " + p.target + " SET WITHOUT CLUSTER"}, nil
	}
	want, err := counterpartIndex(ctx, db, p.orig, p.shadow, origIndex)
	if err != nil || want == shadowIndex {
		return nil, err
	}
	return []string{"ALTER TABLE " + p.target + " CLUSTER ON " + pgx.Identifier{want}.Sanitize()}, nil
}

func counterpartIndex(ctx context.Context, db Querier, orig, shadow uint32, index string) (string, error) {
	pairs, err := pairIndexes(ctx, db, orig, shadow)
	if err != nil {
		return "", err
	}
	for _, pr := range pairs {
		if pr.orig == index {
			return pr.shadow, nil
		}
	}
	return "", fmt.Errorf("index %s has no counterpart on the shadow (same columns, operator families, predicate, uniqueness)", index)
}

// carryStatisticsTargets: -1 is the default (NULL from PostgreSQL 17 on).
func carryStatisticsTargets(ctx context.Context, db Querier, p carryPair) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT oa.attname::text, coalesce(oa.attstattarget, -1)::int
		FROM pg_attribute oa JOIN pg_attribute sa ON sa.attrelid = $2 AND sa.attname = oa.attname AND NOT sa.attisdropped
		WHERE oa.attrelid = $1 AND oa.attnum > 0 AND NOT oa.attisdropped
			AND coalesce(oa.attstattarget, -1) <> coalesce(sa.attstattarget, -1)
		ORDER BY oa.attnum`, p.orig, p.shadow)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var stmts []string
	for rows.Next() {
		var col string
		var target int
		if err := rows.Scan(&col, &target); err != nil {
			return nil, err
		}
		if p.except["stat:"+col] {
			continue
		}
		stmts = append(stmts, fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s SET STATISTICS %d", p.target, pgx.Identifier{col}.Sanitize(), target))
	}
	return stmts, rows.Err()
}
