package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	dialect "github.com/hotswap/hotswap/dialect/postgres"
	"github.com/hotswap/hotswap/engine"
	"github.com/hotswap/hotswap/internal/dbconn"
)

// database is a PostgreSQL schema as a target of versioned migrations: the
// history table lives in it, and unqualified names in the statements are
// looked up in it first.
type database struct {
	db           *sql.DB
	name, schema string
	lock         *sql.Conn // holds the migrate lock, once taken
}

var _ engine.Database = (*database)(nil)

func openDatabase(ctx context.Context, conn dbconn.Config, schema string) (engine.Database, error) {
	if schema == "" {
		schema = "public"
	}
	db, err := dialect.Open(ctx, pgConfig(conn))
	if err != nil {
		return nil, err
	}
	return &database{db: db, name: conn.Database, schema: schema}, nil
}

func (d *database) Lock(ctx context.Context) (bool, error) {
	c, err := d.db.Conn(ctx)
	if err != nil {
		return false, fmt.Errorf("open the migrate lock's connection: %w", err)
	}
	got, err := dialect.TryMigrateLock(ctx, c, d.name, d.schema)
	if err != nil || !got {
		c.Close()
		return false, err
	}
	d.lock = c
	return true, nil
}

func (d *database) EnsureHistory(ctx context.Context) error {
	if _, err := d.db.ExecContext(ctx, dialect.CreateHistorySQL(d.schema, engine.HistoryTable)); err != nil {
		return fmt.Errorf("create the history table %s.%s: %w", d.schema, engine.HistoryTable, err)
	}
	return nil
}

func (d *database) History(ctx context.Context) ([]engine.Record, error) {
	if ok, err := dialect.TableExists(ctx, d.db, d.schema, engine.HistoryTable); err != nil || !ok {
		return nil, err
	}
	rows, err := d.db.QueryContext(ctx, dialect.SelectHistorySQL(d.schema, engine.HistoryTable))
	if err != nil {
		return nil, fmt.Errorf("read the history table %s.%s: %w", d.schema, engine.HistoryTable, err)
	}
	defer rows.Close()
	var out []engine.Record
	for rows.Next() {
		var r engine.Record
		var finished sql.NullTime
		var ms int64
		if err := rows.Scan(&r.Version, &r.Name, &r.Checksum, &r.State, &r.Started, &finished, &ms, &r.Rows,
			&r.Steps, &r.Error, &r.Hotswap, &r.Host); err != nil {
			return nil, fmt.Errorf("read the history table: %w", err)
		}
		r.Finished = finished.Time
		r.Duration = time.Duration(ms) * time.Millisecond
		out = append(out, r)
	}
	return out, rows.Err()
}

func (d *database) Save(ctx context.Context, r engine.Record) error {
	var finished any
	if !r.Finished.IsZero() {
		finished = r.Finished
	}
	_, err := d.db.ExecContext(ctx, dialect.SaveHistorySQL(d.schema, engine.HistoryTable), int64(r.Version), r.Name, r.Checksum, r.State,
		r.Started, finished, r.Duration.Milliseconds(), r.Rows, r.Steps, r.Error, r.Hotswap, r.Host)
	if err != nil {
		return fmt.Errorf("record version %d in %s.%s: %w", r.Version, d.schema, engine.HistoryTable, err)
	}
	return nil
}

// Exec runs stmt on one connection whose search_path starts with the
// target schema, so unqualified names mean what they mean in its history.
func (d *database) Exec(ctx context.Context, stmt string) error {
	c, err := d.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	if _, err := c.ExecContext(ctx, dialect.SearchPathSQL, dialect.SearchPath(d.schema)); err != nil {
		return fmt.Errorf("set search_path to %s: %w", d.schema, err)
	}
	defer c.ExecContext(context.Background(), dialect.ResetSearchPathSQL)
	_, err = c.ExecContext(ctx, stmt)
	return err
}

func (d *database) Size(ctx context.Context, schema, table string) (int64, int64, bool, error) {
	if schema == "" {
		schema = d.schema
	}
	exists, err := dialect.TableExists(ctx, d.db, schema, table)
	if err != nil || !exists {
		return 0, 0, false, err
	}
	rows, err := dialect.EstimateRows(ctx, d.db, schema, table)
	if err != nil {
		return 0, 0, true, err
	}
	bytes, err := dialect.TotalSize(ctx, d.db, schema, table)
	return rows, bytes, true, err
}

func (d *database) HasRows(ctx context.Context, schema, table, nullColumn string) (bool, error) {
	if schema == "" {
		schema = d.schema
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
		schema = d.schema
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
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = dialect.MigrateUnlock(ctx, d.lock, d.name, d.schema)
		d.lock.Close()
		d.lock = nil
	}
	return d.db.Close()
}

func (d *database) ColumnType(ctx context.Context, schema, table, column string) (string, bool, error) {
	if schema == "" {
		schema = d.schema
	}
	var typ string
	err := d.db.QueryRowContext(ctx, dialect.ColumnTypeSQL, dialect.QualifiedName(schema, table), column).Scan(&typ)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("read the type of column %s of %s.%s: %w", column, schema, table, err)
	}
	return typ, true, nil
}
