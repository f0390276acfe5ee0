package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	dialect "github.com/hotswap/hotswap/dialect/mysql"
	"github.com/hotswap/hotswap/engine"
	"github.com/hotswap/hotswap/internal/dbconn"
)

// database is a MySQL/MariaDB database as a target of versioned migrations.
type database struct {
	db   *sql.DB
	name string
	lock *sql.Conn // holds the migrate lock, once taken
}

var _ engine.Database = (*database)(nil)

func openDatabase(ctx context.Context, conn dbconn.Config, _ string) (engine.Database, error) {
	db, err := dialect.Open(ctx, conn)
	if err != nil {
		return nil, err
	}
	return &database{db: db, name: conn.Database}, nil
}

func (d *database) Lock(ctx context.Context) (bool, error) {
	c, err := d.db.Conn(ctx)
	if err != nil {
		return false, fmt.Errorf("open the migrate lock's connection: %w", err)
	}
	got, err := dialect.GetLock(ctx, c, dialect.MigrateLockName(d.name))
	if err != nil || !got {
		c.Close()
		return false, err
	}
	d.lock = c
	return true, nil
}

func (d *database) EnsureHistory(ctx context.Context) error {
	if _, err := d.db.ExecContext(ctx, dialect.CreateHistorySQL(d.name, engine.HistoryTable)); err != nil {
		return fmt.Errorf("create the history table %s.%s: %w", d.name, engine.HistoryTable, err)
	}
	return nil
}

// mysqlTime is how the history table's DATETIME(6) values are written and
// read (UTC).
const mysqlTime = "2006-01-02 15:04:05.999999"

func (d *database) History(ctx context.Context) ([]engine.Record, error) {
	if ok, err := dialect.TableExists(ctx, d.db, d.name, engine.HistoryTable); err != nil || !ok {
		return nil, err
	}
	rows, err := d.db.QueryContext(ctx, dialect.SelectHistorySQL(d.name, engine.HistoryTable))
	if err != nil {
		return nil, fmt.Errorf("read the history table %s.%s: %w", d.name, engine.HistoryTable, err)
	}
	defer rows.Close()
	var out []engine.Record
	for rows.Next() {
		var r engine.Record
		var started string
		var finished sql.NullString
		var ms int64
		if err := rows.Scan(&r.Version, &r.Name, &r.Checksum, &r.State, &started, &finished, &ms, &r.Rows,
			&r.Steps, &r.Error, &r.Hotswap, &r.Host); err != nil {
			return nil, fmt.Errorf("read the history table: %w", err)
		}
		r.Started, _ = time.Parse(mysqlTime, started)
		if finished.Valid {
			r.Finished, _ = time.Parse(mysqlTime, finished.String)
		}
		r.Duration = time.Duration(ms) * time.Millisecond
		out = append(out, r)
	}
	return out, rows.Err()
}

func (d *database) Save(ctx context.Context, r engine.Record) error {
	var finished any
	if !r.Finished.IsZero() {
		finished = r.Finished.UTC().Format(mysqlTime)
	}
	_, err := d.db.ExecContext(ctx, dialect.SaveHistorySQL(d.name, engine.HistoryTable), r.Version, r.Name, r.Checksum, r.State,
		r.Started.UTC().Format(mysqlTime), finished, r.Duration.Milliseconds(), r.Rows, r.Steps, r.Error, r.Hotswap, r.Host)
	if err != nil {
		return fmt.Errorf("record version %d in %s.%s: %w", r.Version, d.name, engine.HistoryTable, err)
	}
	return nil
}

// Exec runs stmt on one connection in the database, with the server's own
// sql_mode and time_zone: what the user's client would get.
func (d *database) Exec(ctx context.Context, stmt string) error {
	c, err := dialect.ServerModeConn(ctx, d.db)
	if err != nil {
		return err
	}
	defer dialect.Discard(c)
	_, err = c.ExecContext(ctx, stmt)
	return err
}

func (d *database) Size(ctx context.Context, schema, table string) (int64, int64, bool, error) {
	if schema == "" {
		schema = d.name
	}
	return dialect.TableSize(ctx, d.db, schema, table)
}

func (d *database) HasRows(ctx context.Context, schema, table, nullColumn string) (bool, error) {
	if schema == "" {
		schema = d.name
	}
	if nullColumn != "" {
		if ok, err := dialect.HasColumns(ctx, d.db, schema, table, []string{nullColumn}); err != nil || !ok {
			return false, err
		}
	}
	return engine.AnyRow(ctx, d.db, dialect.HasRowsSQL(schema, table, nullColumn))
}

func (d *database) HasDuplicates(ctx context.Context, schema, table string, columns []string) (bool, error) {
	if schema == "" {
		schema = d.name
	}
	if ok, err := dialect.HasColumns(ctx, d.db, schema, table, columns); err != nil || !ok || len(columns) == 0 {
		return false, err
	}
	return engine.AnyRow(ctx, d.db, dialect.HasDuplicatesSQL(schema, table, columns))
}

func (d *database) Split(sql string) ([]engine.Statement, error) { return split(sql) }

// split cuts sql into statements as the engine's own client would.
func split(sql string) ([]engine.Statement, error) {
	stmts, err := dialect.SplitStatements(sql)
	out := make([]engine.Statement, len(stmts))
	for i, s := range stmts {
		out[i] = engine.Statement{SQL: s.SQL, Line: s.Line}
	}
	return out, err
}

func (d *database) ParseAlterTable(stmt string) (schema, table, clauses string, ok bool) {
	return dialect.ParseAlterTable(stmt)
}

func (d *database) Close() error {
	if d.lock != nil {
		dialect.CloseLockConn(d.lock, dialect.MigrateLockName(d.name))
		d.lock = nil
	}
	return d.db.Close()
}

func (d *database) ColumnType(ctx context.Context, schema, table, column string) (string, bool, error) {
	if schema == "" {
		schema = d.name
	}
	var typ string
	err := d.db.QueryRowContext(ctx, dialect.ColumnTypeSQL, schema, table, column).Scan(&typ)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("read the type of column %s of %s.%s: %w", column, schema, table, err)
	}
	return typ, true, nil
}
