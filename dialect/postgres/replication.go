package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pglogrepl"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// CreatePublication publishes schema.table's inserts, updates, deletes and
// truncates under name. Create it before the slot: pgoutput looks
// publications up as of each change, so a slot older than its publication
// fails on the changes in between. The statement takes SHARE UPDATE
// EXCLUSIVE on the table (DML goes on; it queues behind DDL and VACUUM).
func CreatePublication(ctx context.Context, db Querier, name, schema, table string) error {
	stmt := "CREATE PUBLICATION " + pgx.Identifier{name}.Sanitize() +
		" FOR TABLE " + pgx.Identifier{schema, table}.Sanitize() +
		" WITH (publish = 'insert, update, delete, truncate')"
	if _, err := db.ExecContext(ctx, stmt); err != nil {
		return fmt.Errorf("create publication %s for %s.%s: %w", name, schema, table, err)
	}
	return nil
}

// DropPublication removes the publication if it exists.
func DropPublication(ctx context.Context, db Querier, name string) error {
	if _, err := db.ExecContext(ctx, DropPublicationSQL(name)); err != nil {
		return fmt.Errorf("drop publication %s: %w", name, err)
	}
	return nil
}

// DropSlot drops the replication slot if it exists. A walsender lets go of
// its slot a moment after its client closed the stream, so a slot still
// "active" is retried for a few seconds; one held longer (an open stream,
// ours or not) is not taken from it: the server's error is returned.
func DropSlot(ctx context.Context, db Querier, name string) error {
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err := db.ExecContext(ctx,
			"SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1", name)
		var pgErr *pgconn.PgError
		if err != nil && errors.As(err, &pgErr) && pgErr.Code == "55006" && time.Now().Before(deadline) {
			select {
			case <-ctx.Done():
				return fmt.Errorf("drop replication slot %s: %w", name, ctx.Err())
			case <-time.After(50 * time.Millisecond):
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("drop replication slot %s: %w", name, err)
		}
		return nil
	}
}

// CurrentLSN returns a WAL position that every transaction committed before
// the call ends at or before, and that the server has already flushed, so a
// change stream is sure to reach it (Position >= it): the drain point of a
// cut-over.
//
// pg_current_wal_lsn() is not that: it is the *write* position, and with
// synchronous_commit=off (a common setting, and the test servers') commits
// return before their WAL is written, so it lags behind them. The insert
// position covers them, but its tail may stay unflushed (an idle server
// flushes only commits) and the stream would never reach it. So the position
// is that of a transactional logical message, committed synchronously: the
// commit flushes all WAL through its own record, past the message. Costs an
// xid and a WAL flush. Call it in autocommit mode (a *sql.DB, or a *sql.Conn
// outside a transaction): inside one, the flush waits for its commit.
func CurrentLSN(ctx context.Context, db Querier) (pglogrepl.LSN, error) {
	var text, setting string
	err := db.QueryRowContext(ctx, `SELECT pg_logical_emit_message(true, 'hotswap', 'lsn')::text,
		set_config('synchronous_commit', 'on', true)`).Scan(&text, &setting)
	if err != nil {
		return 0, fmt.Errorf("read current WAL position: %w", err)
	}
	lsn, err := pglogrepl.ParseLSN(text)
	if err != nil {
		return 0, fmt.Errorf("parse WAL position %q: %w", text, err)
	}
	return lsn, nil
}

// PublicationExists says whether a publication of that name exists in the
// current database.
func PublicationExists(ctx context.Context, db Querier, name string) (bool, error) {
	var exists bool
	err := db.QueryRowContext(ctx, "SELECT EXISTS (SELECT FROM pg_publication WHERE pubname = $1)", name).Scan(&exists)
	if err != nil {
		return false, fmt.Errorf("look for publication %s: %w", name, err)
	}
	return exists, nil
}

// ServerVersion is the server's version string (server_version).
func ServerVersion(ctx context.Context, db Querier) (string, error) {
	var v string
	if err := db.QueryRowContext(ctx, "SHOW server_version").Scan(&v); err != nil {
		return "", fmt.Errorf("read server version: %w", err)
	}
	return v, nil
}

// DropPublicationSQL drops the publication if it is there: what
// DropPublication runs, and what a message tells a person to run.
func DropPublicationSQL(name string) string {
	return "DROP PUBLICATION IF EXISTS " + pgx.Identifier{name}.Sanitize()
}

// DropSlotSQL is the statement a person runs to drop a replication slot.
func DropSlotSQL(name string) string {
	return "SELECT pg_drop_replication_slot('" + strings.ReplaceAll(name, "'", "''") + "')"
}
