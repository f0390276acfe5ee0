package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/stdlib"
)

// rolledBack runs fn in a transaction on one connection of db and rolls it
// back, whatever fn did: nothing it changed stays.
func rolledBack(ctx context.Context, db *sql.DB, fn func(conn *sql.Conn) error) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
		return err
	}
	err = fn(conn)
	if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK"); rerr != nil {
		_ = conn.Raw(func(any) error { return driver.ErrBadConn }) // never back to the pool mid-transaction
		err = errors.Join(err, rerr)
	}
	return err
}

// execOne runs one statement over the extended protocol (Parse/Bind/
// Execute): the server takes exactly one statement there, so "ADD COLUMN x
// int; DROP TABLE t" fails as a whole instead of running its second
// statement (database/sql with pgx sends a query without arguments over the
// simple protocol, which runs every statement).
func execOne(ctx context.Context, conn *sql.Conn, stmt string) error {
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("not a pgx connection: %T", dc)
		}
		return c.Conn().PgConn().ExecParams(ctx, stmt, nil, nil, nil, nil).Read().Err
	})
}
