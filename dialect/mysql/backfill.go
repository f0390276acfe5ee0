package mysql

import (
	"context"
	"fmt"
	"strings"

	"github.com/hotswap/hotswap/copier"
)

// Backfill is the SQL of a chunked data change on one table: for each key
// range, one UPDATE (or the user's statement) in a transaction of its own.
// Rows supplies the table, its key and NextBoundary.
type Backfill struct {
	*Rows
	Set, Where string // --set and --where; Template ("" unless --sql-file) replaces them
	Template   string
	// LockWait bounds the wait for a row lock the application holds; past it
	// the chunk is retried later (default 5s).
	LockWait int
}

// Statement is the chunk's statement for lo < key <= hi and its arguments.
func (b *Backfill) Statement(lo, hi []any) (string, []any) {
	cond, args := keyRange(b.SrcKey.Columns, "", lo, hi)
	if b.Template != "" {
		n := strings.Count(b.Template, copier.ChunkPlaceholder)
		all := make([]any, 0, n*len(args))
		for range n {
			all = append(all, args...)
		}
		return strings.ReplaceAll(b.Template, copier.ChunkPlaceholder, "("+cond+")"), all
	}
	return fmt.Sprintf("UPDATE %s SET %s WHERE (%s) AND %s", b.src(), b.Set, b.whereOrTrue(), cond), args
}

func (b *Backfill) whereOrTrue() string {
	if strings.TrimSpace(b.Where) == "" {
		return "TRUE"
	}
	return b.Where
}

// CopyRange runs the chunk's statement (the copier's Source) and returns the
// rows it changed. A row lock held past LockWait, or a deadlock, is Busy.
func (b *Backfill) CopyRange(ctx context.Context, lo, hi []any) (int64, [][]any, error) {
	conn, err := b.DB.Conn(ctx)
	if err != nil {
		return 0, nil, err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, b.rowLockWaitSQL()); err != nil {
		return 0, nil, err
	}
	query, args := b.Statement(lo, hi)
	res, err := conn.ExecContext(ctx, query, args...)
	if isBusy(err) {
		return 0, nil, ErrBusy
	}
	if err != nil {
		return 0, nil, err
	}
	n, err := res.RowsAffected()
	return n, nil, err
}

// rowLockWaitSQL bounds the chunk's wait for a row lock by LockWait
// seconds, at least one.
func (b *Backfill) rowLockWaitSQL() string {
	return fmt.Sprintf("SET SESSION innodb_lock_wait_timeout = %d", max(b.LockWait, 1))
}

// Count is the rows of lo < key <= hi that --where selects (a dry run's sample).
func (b *Backfill) Count(ctx context.Context, lo, hi []any) (int64, error) {
	query, args := b.countSQL(lo, hi)
	var n int64
	err := b.DB.QueryRowContext(ctx, query, args...).Scan(&n)
	return n, err
}

// countSQL counts the rows of lo < key <= hi that --where selects.
func (b *Backfill) countSQL(lo, hi []any) (string, []any) {
	cond, args := keyRange(b.SrcKey.Columns, "", lo, hi)
	return fmt.Sprintf("SELECT COUNT(*) FROM %s WHERE (%s) AND %s", b.src(), b.whereOrTrue(), cond), args
}

// Check runs the statement on an empty range inside a transaction rolled
// back: the server's own error for a bad --set, --where or --sql-file,
// before anything is changed.
func (b *Backfill) Check(ctx context.Context) error {
	tx, err := b.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	_, err = tx.ExecContext(ctx, b.emptyRangeSQL())
	return err
}

// emptyRangeSQL is the chunk's statement on no rows, for Check: the server
// still parses and resolves every name in it.
func (b *Backfill) emptyRangeSQL() string {
	if b.Template != "" {
		return strings.ReplaceAll(b.Template, copier.ChunkPlaceholder, "(FALSE)")
	}
	return fmt.Sprintf("UPDATE %s SET %s WHERE FALSE AND (%s)", b.src(), b.Set, b.whereOrTrue())
}
