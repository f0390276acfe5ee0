package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	driver "github.com/go-sql-driver/mysql"
	"github.com/hotswap/hotswap/internal/inflight"
	"github.com/hotswap/hotswap/schema"
)

// Rows is the SQL for moving rows from the source table to the shadow:
// chunk copy by key range and resync by key list. Keys are value slices in
// key-column order; the source and shadow key columns correspond by position.
type Rows struct {
	DB        *sql.DB
	Database  string
	Source    string
	Shadow    string
	Pairs     []schema.ColumnPair
	SrcKey    schema.Index
	DstKey    schema.Index
	SrcTable  *schema.Table
	DstTable  *schema.Table
	ShareLock string // locking-read clause, from Probe
	// chunks are the copy chunks running now, which a resync waits for.
	chunks inflight.Tracker
	// TimeZone is the server's global time_zone (GlobalTimeZone): where the
	// ALTER turns a TIMESTAMP into local time or back, the rows are shifted
	// as the user's own ALTER would shift them (sourceExpr).
	TimeZone string
	// Keep are shadow columns no pair feeds whose values a resync keeps
	// (a revert window's old table: the columns the ALTER dropped).
	Keep []string
}

// ErrBusy means a locking read met a row lock and did not wait (NOWAIT):
// the caller retries later instead of joining a possible deadlock.
var ErrBusy error = busyError{}

type busyError struct{}

func (busyError) Error() string { return "rows locked by another transaction" }
func (busyError) Busy() bool    { return true }

func (r *Rows) targets() string {
	names := make([]string, len(r.Pairs))
	for i, p := range r.Pairs {
		names[i] = p.Target
	}
	return quoteList(names)
}

func (r *Rows) sources(alias string) string {
	out := make([]string, len(r.Pairs))
	for i, p := range r.Pairs {
		out[i] = r.sourceExpr(alias, p)
	}
	return strings.Join(out, ", ")
}

func (r *Rows) src() string    { return qualified(r.Database, r.Source) }
func (r *Rows) shadow() string { return qualified(r.Database, r.Shadow) }

// NextBoundary returns the key `size` rows after `after` (nil: from the
// start), reading only the index range it steps over; ok is false when fewer
// rows remain, so the last chunk is open-ended.
func (r *Rows) NextBoundary(ctx context.Context, after []any, size int) ([]any, bool, error) {
	return r.boundaryOn(ctx, r.DB, after, size)
}

func (r *Rows) boundaryOn(ctx context.Context, q Querier, after []any, size int) ([]any, bool, error) {
	query, args := r.nextBoundarySQL(after, size)
	vals := make([]any, len(r.SrcKey.Columns))
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	err := q.QueryRowContext(ctx, query, args...).Scan(ptrs...)
	if err == sql.ErrNoRows {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("find chunk boundary: %w", err)
	}
	return vals, true, nil
}

// nextBoundarySQL is the query NextBoundary runs: the key `size` rows after
// `after` (nil: from the start), in key order on the key's own index.
func (r *Rows) nextBoundarySQL(after []any, size int) (string, []any) {
	where, args := "", []any{}
	if after != nil {
		where, args = " WHERE "+afterKey(r.SrcKey.Columns, ""), lexArgs(after)
	}
	query := fmt.Sprintf("SELECT %s FROM %s FORCE INDEX (%s)%s ORDER BY %s LIMIT 1 OFFSET %d",
		quoteList(r.SrcKey.Columns), r.src(), Quote(r.SrcKey.Name), where, orderBy(r.SrcKey.Columns), size-1)
	return query, args
}

func orderBy(cols []string) string { return quoteList(cols) }

// rangeWhere is "lo < key <= hi" on the source key; a nil bound is open.
func (r *Rows) rangeWhere(alias string, lo, hi []any) (string, []any) {
	return keyRange(r.SrcKey.Columns, alias, lo, hi)
}

func keyRange(cols []string, alias string, lo, hi []any) (string, []any) {
	conds, args := []string{"1=1"}, []any{}
	if lo != nil {
		conds, args = append(conds, afterKey(cols, alias)), append(args, lexArgs(lo)...)
	}
	if hi != nil {
		conds, args = append(conds, upToKey(cols, alias)), append(args, lexArgs(hi)...)
	}
	return strings.Join(conds, " AND "), args
}

func isBusy(err error) bool {
	var me *driver.MySQLError
	// 1205: lock wait timeout (MariaDB NOWAIT), 3572: ER_LOCK_NOWAIT (MySQL 8),
	// 1213: deadlock (the server rolled the transaction back: run it again)
	return errors.As(err, &me) && (me.Number == 1205 || me.Number == 3572 || me.Number == 1213)
}

func isNoSuchTable(err error) bool {
	var me *driver.MySQLError
	return errors.As(err, &me) && me.Number == 1146
}

func isDuplicate(err error) bool {
	var me *driver.MySQLError
	return errors.As(err, &me) && me.Number == 1062
}
