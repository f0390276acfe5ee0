package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// IsSentry says whether table is a cut-over sentry hotswap created (by its
// comment): a table of that name may also be the old table a finished run
// kept, which only its owner may drop.
func IsSentry(ctx context.Context, q Querier, database, table string) (bool, error) {
	var comment string
	err := q.QueryRowContext(ctx, "SELECT TABLE_COMMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
		database, table).Scan(&comment)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read the comment of %s: %w", table, err)
	}
	return isSentryComment(comment), nil
}

// isSentryComment says whether a table comment is the one createSentrySQL writes.
func isSentryComment(comment string) bool {
	return strings.HasPrefix(comment, "hotswap cut-over sentry")
}
