package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

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
	LockWait time.Duration
	// SearchPath, when set, is the chunks' search_path (SearchPath(schema)):
	// where the change's unqualified names are looked up.
	SearchPath string
}

// Statement is the chunk's statement for lo < key <= hi and its arguments.
func (b *Backfill) Statement(lo, hi []any) (string, []any) {
	a := &rowsArgs{}
	cond := b.srcKey().between("", a, lo, hi)
	if b.Template != "" {
		return strings.ReplaceAll(b.Template, copier.ChunkPlaceholder, "("+cond+")"), a.vals
	}
	return fmt.Sprintf("UPDATE %s SET %s WHERE (%s) AND %s", b.srcTable(), b.Set, b.whereOrTrue(), cond), a.vals
}

func (b *Backfill) whereOrTrue() string {
	if strings.TrimSpace(b.Where) == "" {
		return "TRUE"
	}
	return b.Where
}

// CopyRange runs the chunk's statement (the copier's Source) and returns the
// rows it changed. A row lock held past LockWait, a deadlock or a
// serialization failure is Busy: the copier runs the chunk again later.
func (b *Backfill) CopyRange(ctx context.Context, lo, hi []any) (int64, [][]any, error) {
	if err := b.checkKeys(lo, hi); err != nil {
		return 0, nil, err
	}
	tx, err := b.DB.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
	if err != nil {
		return 0, nil, err
	}
	defer func() { _ = tx.Rollback() }()
	wait := b.LockWait
	if wait <= 0 {
		wait = 5 * time.Second
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("SET LOCAL lock_timeout = %d", wait.Milliseconds())); err != nil {
		return 0, nil, err
	}
	if err := b.setSearchPath(ctx, tx); err != nil {
		return 0, nil, err
	}
	query, args := b.Statement(lo, hi)
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		if IsLockTimeout(err) {
			return 0, nil, transientError{err: err}
		}
		return 0, nil, retryable(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, nil, err
	}
	if err := tx.Commit(); err != nil {
		return 0, nil, retryable(err)
	}
	return n, nil, nil
}

// Count is the rows of lo < key <= hi that --where selects (a dry run's sample).
func (b *Backfill) Count(ctx context.Context, lo, hi []any) (int64, error) {
	a := &rowsArgs{}
	cond := b.srcKey().between("", a, lo, hi)
	var n int64
	err := b.DB.QueryRowContext(ctx, fmt.Sprintf("SELECT count(*) FROM %s WHERE (%s) AND %s", b.srcTable(), b.whereOrTrue(), cond), a.vals...).Scan(&n)
	return n, err
}

// Check runs the statement on an empty range inside a transaction rolled
// back: the server's own error for a bad --set, --where or --sql-file,
// before anything is changed.
func (b *Backfill) Check(ctx context.Context) error {
	tx, err := b.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	if err := b.setSearchPath(ctx, tx); err != nil {
		return err
	}
	query := fmt.Sprintf("UPDATE %s SET %s WHERE FALSE AND (%s)", b.srcTable(), b.Set, b.whereOrTrue())
	if b.Template != "" {
		query = strings.ReplaceAll(b.Template, copier.ChunkPlaceholder, "(FALSE)")
	}
	_, err = tx.ExecContext(ctx, query)
	return err
}

// setSearchPath sets SearchPath for the transaction (none: the role's).
func (b *Backfill) setSearchPath(ctx context.Context, tx *sql.Tx) error {
	if b.SearchPath == "" {
		return nil
	}
	_, err := tx.ExecContext(ctx, LocalSearchPathSQL, b.SearchPath)
	return err
}
