package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
)

// columnSequence is a sequence bound to a column of a table: owned by it
// (serial, OWNED BY) or its identity.
type columnSequence struct {
	column       string
	attnum, rank int // rank: position among the table's live columns
	oid          uint32
	schema, name string
	identity     bool
}

func (s columnSequence) qualified() string { return pgx.Identifier{s.schema, s.name}.Sanitize() }

func readColumnSequences(ctx context.Context, db Querier, table uint32) ([]columnSequence, error) {
	rows, err := db.QueryContext(ctx, `SELECT a.attname::text, a.attnum,
			(SELECT count(*) FROM pg_attribute b WHERE b.attrelid = a.attrelid AND b.attnum > 0
				AND NOT b.attisdropped AND b.attnum <= a.attnum)::int,
			s.oid, n.nspname::text, s.relname::text, d.deptype = 'i'
		FROM pg_depend d
		JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
		JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
		JOIN pg_namespace n ON n.oid = s.relnamespace
		WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
			AND d.refobjid = $1 AND d.deptype IN ('a', 'i')
		ORDER BY a.attnum`, table)
	if err != nil {
		return nil, fmt.Errorf("read sequences: %w", err)
	}
	defer rows.Close()
	var out []columnSequence
	for rows.Next() {
		var s columnSequence
		if err := rows.Scan(&s.column, &s.attnum, &s.rank, &s.oid, &s.schema, &s.name, &s.identity); err != nil {
			return nil, fmt.Errorf("read sequences: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// sequenceSwap is the sequence part of the swap, in the order SwapSQL runs
// it: sync before any rename, retire before the tables are renamed, take and
// own after.
type sequenceSwap struct {
	sync, retire, take, own []string
	retired                 []string         // the names retire frees
	taken                   []string         // the names take gives
	unmatched               []columnSequence // the shadow's identity sequences take leaves alone
}

// planSequenceSwap keeps every sequence-backed column of the new table
// counting on from the old one's values:
//   - an identity column of the shadow has its own sequence (LIKE makes a
//     fresh one, and the copy gave explicit values), so it is set to the old
//     one's position and takes its name; the old one is renamed away (the
//     columns are matched by position, so a renamed column is matched too);
//   - a serial sequence is shared: the shadow's default (copied by LIKE)
//     still calls nextval on it. Only its ownership moves, to the shadow's
//     column whose default uses it, or dropping the old table would drop it.
//
// back (SwapBackSQL): the shadow is the old table of an earlier swap and the
// table the shadow it put in place, so the table's column of attnum k is the
// shadow's k-th live column; the table's sequences are retired to name_rev.
func planSequenceSwap(ctx context.Context, db Querier, schema, table string, orig, shadow uint32, back bool) (sequenceSwap, error) {
	var plan sequenceSwap
	origSeqs, err := readColumnSequences(ctx, db, orig)
	if err != nil {
		return plan, err
	}
	shadowSeqs, err := readColumnSequences(ctx, db, shadow)
	if err != nil {
		return plan, err
	}
	// LIKE gives the shadow's columns the attnums of the table's live columns
	// in order, and a RENAME COLUMN keeps them: match identities by that.
	retire := retiredName
	if back {
		retire = revertedName
	}
	shadowIdentity := map[int]columnSequence{}
	for _, s := range shadowSeqs {
		if s.identity && back {
			shadowIdentity[s.rank] = s
		} else if s.identity {
			shadowIdentity[s.attnum] = s
		}
	}
	for _, o := range origSeqs {
		if !o.identity {
			stmt, err := serialOwnership(ctx, db, schema, table, shadow, o)
			if err != nil {
				return plan, err
			}
			plan.own = append(plan.own, stmt...)
			continue
		}
		plan.retire = append(plan.retire, "ALTER SEQUENCE "+o.qualified()+" RENAME TO "+pgx.Identifier{retire(o.name)}.Sanitize())
		plan.retired = append(plan.retired, o.name)
		at := o.rank
		if back {
			at = o.attnum
		}
		if s, ok := shadowIdentity[at]; ok {
			plan.sync = append(plan.sync, fmt.Sprintf("SELECT setval(%d::oid::regclass, last_value, is_called) FROM %s", s.oid, o.qualified()))
			plan.take = append(plan.take, "ALTER SEQUENCE "+s.qualified()+" RENAME TO "+pgx.Identifier{o.name}.Sanitize())
			plan.taken = append(plan.taken, o.name)
			delete(shadowIdentity, at)
		}
	}
	for _, s := range shadowIdentity {
		plan.unmatched = append(plan.unmatched, s)
	}
	slices.SortFunc(plan.unmatched, func(a, b columnSequence) int { return a.attnum - b.attnum })
	return plan, nil
}

// serialOwnership moves a serial sequence to the shadow column whose default
// uses it, preferring the column of the same name. None uses it: the ALTER
// dropped the column or its default, and the sequence goes with the old table.
// The shadow's columns are named as they will be after the rename.
func serialOwnership(ctx context.Context, db Querier, schema, table string, shadow uint32, seq columnSequence) ([]string, error) {
	var col string
	err := db.QueryRowContext(ctx, `SELECT a.attname::text FROM pg_attrdef ad
		JOIN pg_depend d ON d.classid = 'pg_attrdef'::regclass AND d.objid = ad.oid
			AND d.refclassid = 'pg_class'::regclass AND d.refobjid = $2
		JOIN pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
		WHERE ad.adrelid = $1 ORDER BY a.attname <> $3, a.attnum LIMIT 1`, shadow, seq.oid, seq.column).Scan(&col)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find the shadow column using sequence %s: %w", seq.name, err)
	}
	return []string{"ALTER SEQUENCE " + seq.qualified() + " OWNED BY " + pgx.Identifier{schema, table, col}.Sanitize()}, nil
}
