package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/hotswap/hotswap/schema"
	"github.com/jackc/pgx/v5/pgconn"
)

// ValueError is a resync that met a source value the shadow's column cannot
// hold (SQLSTATE class 22: too long, out of range, not valid for the type).
// Retrying cannot help. Column and Key name the first such value when the
// probe (badValue) found it; else Keys is the batch.
type ValueError struct {
	Key                  []any   // the source row's key; nil when not found
	Keys                 [][]any // the batch
	Source, Column, Type string  // source column, shadow column and its type; "" when not found
	Table                string  // the shadow
	Err                  error
}

func (e *ValueError) Error() string {
	if e.Key == nil {
		if e.Column != "" {
			return fmt.Sprintf("a row among keys %v holds in %s a value that column %s (%s) of %s cannot hold: %v",
				e.Keys, e.Source, e.Column, e.Type, e.Table, e.Err)
		}
		return fmt.Sprintf("a row among keys %v holds a value that %s cannot hold: %v", e.Keys, e.Table, e.Err)
	}
	return fmt.Sprintf("the row of key %v holds in %s a value that column %s (%s) of %s cannot hold: %v",
		e.Key, e.Source, e.Column, e.Type, e.Table, e.Err)
}

func (e *ValueError) Unwrap() error { return e.Err }

// valueProbeTable is the temporary table badValue assigns values to, in a
// savepoint it rolls back: an INSERT converts a value with the same
// assignment cast as the resync's, and no SQL expression does.
const valueProbeTable = "hotswap_value_probe"

// badValue turns a data exception of the resync of keys into a ValueError,
// looking for the column and the row at fault. The statement that failed was
// rolled back (q's transaction is usable); so is everything the probe does.
// A probe that cannot run (no TEMP privilege) leaves the error less precise.
func (r *Rows) badValue(ctx context.Context, q Querier, keys [][]any, cause error) error {
	verr := &ValueError{Keys: keys, Table: r.Schema + "." + r.Shadow, Err: cause}
	cands := r.convertedPairs()
	if len(cands) == 0 {
		return verr
	}
	if _, err := q.ExecContext(ctx, "SAVEPOINT hotswap_probe"); err != nil {
		return verr
	}
	defer func() {
		_, _ = q.ExecContext(ctx, "ROLLBACK TO SAVEPOINT hotswap_probe")
		_, _ = q.ExecContext(ctx, "RELEASE SAVEPOINT hotswap_probe")
	}()
	cols := make([]string, len(cands))
	for i, k := range cands {
		cols[i] = "c" + strconv.Itoa(i) + " " + r.DstTypes[r.Pairs[k].Target]
	}
	if _, err := q.ExecContext(ctx, "CREATE TEMPORARY TABLE "+valueProbeTable+" ("+strings.Join(cols, ", ")+")"); err != nil {
		return verr
	}
	for i, k := range cands {
		p := r.Pairs[k]
		bad, err := r.probeValue(ctx, q, i, p, keys)
		if err != nil || !bad {
			continue
		}
		verr.Source, verr.Column, verr.Type = p.Source, p.Target, r.DstTypes[p.Target]
		for _, key := range keys {
			if bad, err := r.probeValue(ctx, q, i, p, [][]any{key}); err == nil && bad {
				verr.Key = key
				break
			}
		}
		break
	}
	return verr
}

// convertedPairs are the indexes of the pairs whose value changes type on
// the way (or comes from a USING expression), and whose shadow type is known.
func (r *Rows) convertedPairs() []int {
	var out []int
	for i, p := range r.Pairs {
		dt := r.DstTypes[p.Target]
		if dt == "" {
			continue
		}
		if _, using := r.Using[p.Target]; using || r.SrcTypes[p.Source] != dt {
			out = append(out, i)
		}
	}
	return out
}

// probeValue assigns pair p's source values of keys to probe column i, in a
// savepoint of its own; bad: a data exception.
func (r *Rows) probeValue(ctx context.Context, q Querier, i int, p schema.ColumnPair, keys [][]any) (bad bool, err error) {
	if _, err := q.ExecContext(ctx, "SAVEPOINT hotswap_probe_one"); err != nil {
		return false, err
	}
	a := &rowsArgs{}
	ins := fmt.Sprintf("INSERT INTO pg_temp.%s (c%d) SELECT %s FROM %s WHERE %s",
		valueProbeTable, i, r.sourceValue("", p), r.srcTable(), r.srcKey().in("", a, keys))
	_, ierr := q.ExecContext(ctx, ins, a.vals...)
	for _, end := range []string{"ROLLBACK TO SAVEPOINT hotswap_probe_one", "RELEASE SAVEPOINT hotswap_probe_one"} {
		if _, err := q.ExecContext(ctx, end); err != nil {
			return false, err
		}
	}
	var pe *pgconn.PgError
	if errors.As(ierr, &pe) && strings.HasPrefix(pe.Code, "22") {
		return true, nil
	}
	return false, ierr
}
