package postgres

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
)

// aclGrant is one privilege held by one grantee ("" is PUBLIC).
type aclGrant struct {
	grantee, privilege string
	grantable          bool
}

// aclSides holds the grants on one object (the table, or one column) of the
// original and of the shadow.
type aclSides struct{ orig, shadow map[aclGrant]bool }

// carryACLQuery reads the table privileges of both tables (a NULL relacl is
// the owner's default, spelled out by acldefault so both sides compare) and
// the column privileges of the columns both have. The shadow's owner is
// reported as the table's: carryOwner moves the shadow to that owner first,
// and ALTER ... OWNER moves the old owner's entries with it.
const carryACLQuery = `WITH o AS (SELECT relowner FROM pg_class WHERE oid = $1),
	s AS (SELECT relowner FROM pg_class WHERE oid = $2),
	acl AS (
		SELECT ''::text AS col, c.oid = $1 AS is_orig, e.grantee, e.privilege_type, e.is_grantable
		FROM pg_class c, aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) e
		WHERE c.oid IN ($1, $2)
		UNION ALL
		SELECT a.attname::text, a.attrelid = $1, e.grantee, e.privilege_type, e.is_grantable
		FROM pg_attribute a, aclexplode(a.attacl) e
		WHERE a.attrelid IN ($1, $2) AND a.attnum > 0 AND NOT a.attisdropped
			AND a.attname IN (SELECT attname FROM pg_attribute WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped)
			AND a.attname IN (SELECT attname FROM pg_attribute WHERE attrelid = $2 AND attnum > 0 AND NOT attisdropped))
	SELECT acl.col, acl.is_orig,
		CASE WHEN acl.grantee = 0 THEN ''
			WHEN NOT acl.is_orig AND acl.grantee = s.relowner THEN pg_get_userbyid(o.relowner)::text
			ELSE pg_get_userbyid(acl.grantee)::text END,
		acl.privilege_type, acl.is_grantable
	FROM acl, o, s`

// carryGrants makes the shadow's privileges those of the table, table level
// first. Revoking on the table also revokes every column privilege, so after
// a table-level change the columns start from nothing.
func carryGrants(ctx context.Context, db Querier, p carryPair) ([]string, error) {
	acls, err := readCarryACLs(ctx, db, p)
	if err != nil {
		return nil, err
	}
	stmts := aclCarrySQL(p.target, "", acls[""])
	for _, col := range slices.Sorted(maps.Keys(acls)) {
		if col == "" {
			continue
		}
		if len(stmts) > 0 {
			acls[col].shadow = nil
		}
		stmts = append(stmts, aclCarrySQL(p.target, col, acls[col])...)
	}
	return stmts, nil
}

// readCarryACLs returns the grants by column name, "" for the table.
func readCarryACLs(ctx context.Context, db Querier, p carryPair) (map[string]*aclSides, error) {
	rows, err := db.QueryContext(ctx, carryACLQuery, p.orig, p.shadow)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	acls := map[string]*aclSides{}
	for rows.Next() {
		var col string
		var isOrig bool
		var g aclGrant
		if err := rows.Scan(&col, &isOrig, &g.grantee, &g.privilege, &g.grantable); err != nil {
			return nil, err
		}
		s := acls[col]
		if s == nil {
			s = &aclSides{orig: map[aclGrant]bool{}, shadow: map[aclGrant]bool{}}
			acls[col] = s
		}
		if isOrig {
			s.orig[g] = true
		} else {
			s.shadow[g] = true
		}
	}
	return acls, rows.Err()
}

// aclCarrySQL revokes everything the shadow's grantees hold on the object
// (the table, or column col) and grants the table's set, one GRANT per
// grantee and grant option. CASCADE: grants the shadow's grantees passed on
// go too, the table's set is rebuilt whole.
func aclCarrySQL(target, col string, s *aclSides) []string {
	if s == nil || maps.Equal(s.orig, s.shadow) {
		return nil
	}
	cols := ""
	if col != "" {
		cols = " (" + pgx.Identifier{col}.Sanitize() + ")"
	}
	var stmts []string
	for _, grantee := range aclGrantees(s.shadow) {
		stmts = append(stmts, "REVOKE ALL"+cols+" ON TABLE "+target+" FROM "+aclRoleSQL(grantee)+" CASCADE")
	}
	type holder struct {
		grantee   string
		grantable bool
	}
	privs := map[holder][]string{}
	for g := range s.orig {
		h := holder{g.grantee, g.grantable}
		privs[h] = append(privs[h], g.privilege+cols)
	}
	for _, grantee := range aclGrantees(s.orig) {
		for _, grantable := range []bool{false, true} {
			list := privs[holder{grantee, grantable}]
			if len(list) == 0 {
				continue
			}
			slices.Sort(list)
			stmt := "GRANT " + strings.Join(list, ", ") + " ON TABLE " + target + " TO " + aclRoleSQL(grantee)
			if grantable {
				stmt += " WITH GRANT OPTION"
			}
			stmts = append(stmts, stmt)
		}
	}
	return stmts
}

// aclGrantees lists the distinct grantees, sorted (PUBLIC first).
func aclGrantees(grants map[aclGrant]bool) []string {
	seen := map[string]bool{}
	for g := range grants {
		seen[g.grantee] = true
	}
	return slices.Sorted(maps.Keys(seen))
}

func aclRoleSQL(grantee string) string {
	if grantee == "" {
		return "PUBLIC"
	}
	return pgx.Identifier{grantee}.Sanitize()
}
