package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// DuplicateError is a resync that hit a unique index other than the row
// key's. Conflicts are shadow keys (outside the batch) of rows holding values
// the batch needs: stale rows to resync in the same batch. With no conflicts
// the source itself holds the duplicate, and the run must fail.
type DuplicateError struct {
	Conflicts  [][]any
	Constraint string // the unique index or constraint violated
	Detail     string // the server's "Key (v)=(7) already exists."
	Err        error
}

func (e *DuplicateError) Error() string {
	if len(e.Conflicts) == 0 {
		return fmt.Sprintf("the source holds values that unique index %q of the new table rejects (%s): "+
			"remove the duplicates or drop the unique index from the ALTER", e.Constraint, e.Detail)
	}
	return fmt.Sprintf("resync met %d stale shadow rows on unique index %q (%s)", len(e.Conflicts), e.Constraint, e.Detail)
}

func (e *DuplicateError) Unwrap() error { return e.Err }

// ConflictingKeys are the stale shadow rows to add to the batch.
func (e *DuplicateError) ConflictingKeys() [][]any { return e.Conflicts }

// ErrResyncBusy matches (errors.Is) the error of a resync whose batch met a
// shadow row inserted under it on the row key: retry.
var ErrResyncBusy = errors.New("a copy chunk inserted rows of the resync batch meanwhile; retry")

type resyncBusyError struct{ err error }

func (e resyncBusyError) Error() string        { return ErrResyncBusy.Error() + ": " + e.err.Error() }
func (e resyncBusyError) Unwrap() error        { return e.err }
func (e resyncBusyError) Is(target error) bool { return target == ErrResyncBusy }
func (e resyncBusyError) Busy() bool           { return true }

// duplicate turns a unique violation into the error the applier acts on.
func (r *Rows) duplicate(ctx context.Context, q Querier, keys [][]any, pe *pgconn.PgError) error {
	uniques, err := r.shadowUniques(ctx)
	if err != nil {
		return errors.Join(pe, err)
	}
	var others []rowsUnique
	for _, u := range uniques {
		if u.isKey && u.name == pe.ConstraintName {
			return resyncBusyError{err: pe}
		}
		if !u.isKey {
			others = append(others, u)
		}
	}
	conflicts, err := r.conflicts(ctx, q, keys, others)
	if err != nil {
		return errors.Join(pe, err)
	}
	return &DuplicateError{Conflicts: conflicts, Constraint: pe.ConstraintName, Detail: pe.Detail, Err: pe}
}

// conflicts finds the shadow rows outside the batch that hold, on some other
// unique index, the values the batch's source rows take: a join on the
// index's columns. An index on an expression, or on a column the source does
// not feed, cannot be joined: a clash there is reported as a real duplicate
// (the run stops; nothing is lost).
func (r *Rows) conflicts(ctx context.Context, q Querier, keys [][]any, others []rowsUnique) ([][]any, error) {
	var out [][]any
	for _, u := range others {
		on := r.uniqueJoin(u)
		if on == "" {
			continue
		}
		sk, dk, a := r.srcKey(), r.dstKey(), &rowsArgs{}
		query := fmt.Sprintf("SELECT %s FROM %s s%s JOIN %s n ON %s WHERE %s AND NOT (%s)",
			dk.selectList("n"), r.srcTable(), r.usingLateral("s"), r.shadowTable(), on, sk.in("s", a, keys), dk.in("n", a, keys))
		found, err := rowsScanKeys(ctx, q, len(dk.cols), query, a.vals...)
		if err != nil {
			return nil, fmt.Errorf("find stale shadow rows on %s: %w", u.name, err)
		}
		out = append(out, found...)
	}
	return out, nil
}

// uniqueJoin matches a shadow row's index columns with the source values
// that feed them, each cast to the shadow's type as the insert does (and so
// the shadow's index can serve the join): a source column, or a USING
// expression computed by usingLateral; "" if impossible.
func (r *Rows) uniqueJoin(u rowsUnique) string {
	if u.cols == nil {
		return ""
	}
	feeds := map[string]int{}
	for i, p := range r.Pairs {
		feeds[p.Target] = i
	}
	on := make([]string, len(u.cols))
	for i, c := range u.cols {
		k, ok := feeds[c]
		if !ok {
			return ""
		}
		p := r.Pairs[k]
		src, st := r.compareOperand(r.sourceOperand("s", k, p), p)
		if t := r.DstTypes[c]; t != "" && t != st {
			src += "::" + t
		}
		on[i] = rowsCol("n", c) + " = " + src
	}
	return strings.Join(on, " AND ")
}
