package postgres

import (
	"context"
	"fmt"
	"strings"
)

// replaceKeeping is replaceRows for a shadow with Keep columns, in one
// statement so that the kept values never leave the server:
//
//   - kept deletes the shadow rows of keys, returning their keys and Keep
//     values;
//   - back inserts the source rows that had a shadow row, with its Keep
//     values;
//   - the main INSERT inserts the source rows that had none, leaving the
//     Keep columns to their defaults (identity, sequence, NULL).
//
// The sub-statements of a WITH run concurrently, in an order the plan
// decides, and PostgreSQL checks a unique index row by row: an insert must
// not meet a row of the batch not deleted yet (two rows of the batch that
// swapped a unique value). Both inserts therefore read the gate first, an
// uncorrelated subquery the planner evaluates once, as a one-time filter,
// before the insert's first row: it counts kept, which runs the DELETE to
// its end. A row deleted by the statement no longer blocks its key in a
// unique index (deleted by this transaction), as with replaceRows' DELETE
// followed by an INSERT.
func (r *Rows) replaceKeeping(ctx context.Context, q Querier, keys [][]any) error {
	a := &rowsArgs{}
	query := r.keepingSQL(a, keys)
	if _, err := q.ExecContext(ctx, query, a.vals...); err != nil {
		return fmt.Errorf("resync %d keys keeping %s: %w", len(keys), strings.Join(r.Keep, ", "), err)
	}
	return nil
}

func (r *Rows) keepingSQL(a *rowsArgs, keys [][]any) string {
	sk, dk := r.srcKey(), r.dstKey()
	keep := make([]string, len(r.Keep))
	fromKept := make([]string, len(r.Keep))
	for i, c := range r.Keep {
		keep[i] = rowsIdent(c)
		fromKept[i] = rowsCol("k", c)
	}
	values := make([]string, len(r.Pairs))
	for i, p := range r.Pairs {
		values[i] = r.sourceOperand("s", i, p)
	}
	from := r.srcTable() + " s" + r.usingLateral("s")
	match := dk.join("k", sk, "s")
	const gate = "(SELECT n FROM gate) >= 0"
	return fmt.Sprintf(`WITH kept AS (DELETE FROM %s WHERE %s RETURNING %s, %s),
	gate AS (SELECT count(*) AS n FROM kept),
	back AS (INSERT INTO %s (%s, %s) OVERRIDING SYSTEM VALUE
		SELECT %s, %s FROM %s JOIN kept k ON %s WHERE %s AND %s)
INSERT INTO %s (%s) OVERRIDING SYSTEM VALUE
	SELECT %s FROM %s WHERE %s AND NOT EXISTS (SELECT FROM kept k WHERE %s) AND %s`,
		r.shadowTable(), dk.in("", a, keys), dk.orderBy(""), strings.Join(keep, ", "),
		r.shadowTable(), r.targets(), strings.Join(keep, ", "),
		strings.Join(values, ", "), strings.Join(fromKept, ", "), from, match, sk.in("s", a, keys), gate,
		r.shadowTable(), r.targets(),
		strings.Join(values, ", "), from, sk.in("s", a, keys), match, gate)
}
