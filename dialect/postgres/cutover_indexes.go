package postgres

import (
	"context"
	"fmt"
)

// indexPair is an index of the original table and its counterpart on the
// shadow.
type indexPair struct{ orig, shadow string }

// indexShapeQuery describes each index of a table by everything that makes
// it the same index on another table, but not its name: uniqueness, primary
// key, NULLS NOT DISTINCT (read through row_to_json, so servers before 15,
// which lack the column, still answer), access method, the key and INCLUDE
// columns or expressions by name, operator families (not classes: int4_ops
// on an int column and int8_ops after ALTER ... TYPE bigint are the same
// index), collations, ordering options, predicate, backed constraint kind and
// deferrability, storage parameters (not options a server keeps for itself,
// pg_*, which differ per relation). In OID order, the order LIKE ...
// INCLUDING INDEXES creates them in, so that duplicates pair up in order.
const indexShapeQuery = `SELECT c.relname::text, i.indisprimary, concat_ws(' | ',
		i.indisunique, i.indisprimary, row_to_json(i)->>'indnullsnotdistinct', c.relam, i.indnkeyatts,
		(SELECT string_agg(pg_get_indexdef(i.indexrelid, k, true), ', ' ORDER BY k) FROM generate_series(1, i.indnatts) k),
		(SELECT string_agg(opc.opcfamily::text, ',' ORDER BY u.ord) FROM unnest(i.indclass::oid[]) WITH ORDINALITY u(opclass, ord)
			JOIN pg_opclass opc ON opc.oid = u.opclass),
		i.indcollation, i.indoption, pg_get_expr(i.indpred, i.indrelid, true),
		con.contype, con.condeferrable, con.condeferred,
		ARRAY(SELECT o FROM unnest(c.reloptions) o WHERE o NOT LIKE 'pg\_%' ORDER BY o))
	FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
	LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x')
	WHERE i.indrelid = $1 ORDER BY i.indexrelid`

type indexShape struct {
	name, shape string
	primary     bool
}

// pairIndexes pairs each index of orig with the shadow's index of the same
// shape. Indexes the ALTER dropped, changed or added have no pair, except
// that two unpaired primary keys pair with each other: the new table's
// primary key takes the old name even when the ALTER changed it.
func pairIndexes(ctx context.Context, db Querier, orig, shadow uint32) ([]indexPair, error) {
	origIdx, err := readIndexShapes(ctx, db, orig)
	if err != nil {
		return nil, err
	}
	shadowIdx, err := readIndexShapes(ctx, db, shadow)
	if err != nil {
		return nil, err
	}
	free := map[string][]indexShape{}
	for _, s := range shadowIdx {
		free[s.shape] = append(free[s.shape], s)
	}
	var pairs []indexPair
	var origPK *indexShape
	for _, o := range origIdx {
		if cands := free[o.shape]; len(cands) > 0 {
			pairs = append(pairs, indexPair{o.name, cands[0].name})
			free[o.shape] = cands[1:]
		} else if o.primary {
			origPK = &o
		}
	}
	if origPK != nil {
		for _, cands := range free {
			for _, s := range cands {
				if s.primary {
					pairs = append(pairs, indexPair{origPK.name, s.name})
				}
			}
		}
	}
	return pairs, nil
}

func readIndexShapes(ctx context.Context, db Querier, table uint32) ([]indexShape, error) {
	rows, err := db.QueryContext(ctx, indexShapeQuery, table)
	if err != nil {
		return nil, fmt.Errorf("read indexes: %w", err)
	}
	defer rows.Close()
	var out []indexShape
	for rows.Next() {
		var s indexShape
		if err := rows.Scan(&s.name, &s.primary, &s.shape); err != nil {
			return nil, fmt.Errorf("read indexes: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
