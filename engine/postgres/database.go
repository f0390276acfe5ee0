package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	dialect "github.com/hotswap/hotswap/dialect/postgres"
	"github.com/hotswap/hotswap/engine"
	"github.com/hotswap/hotswap/internal/dbconn"
	"github.com/jackc/pgx/v5"
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
	var got bool
	if err := c.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", dialect.MigrateLockKey(d.name, d.schema)).Scan(&got); err != nil || !got {
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
	if _, err := c.ExecContext(ctx, "SELECT set_config('search_path', $1, false)", pgx.Identifier{d.schema}.Sanitize()+", public"); err != nil {
		return fmt.Errorf("set search_path to %s: %w", d.schema, err)
	}
	defer c.ExecContext(context.Background(), "RESET search_path")
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
	q := "SELECT 1 FROM " + pgx.Identifier{schema, table}.Sanitize()
	if nullColumn != "" {
		if ok, err := d.columnsThere(ctx, schema, table, []string{nullColumn}); err != nil || !ok {
			return false, err
		}
		q += " WHERE " + pgx.Identifier{nullColumn}.Sanitize() + " IS NULL"
	}
	return d.anyRow(ctx, q+" LIMIT 1")
}

func (d *database) HasDuplicates(ctx context.Context, schema, table string, columns []string) (bool, error) {
	if schema == "" {
		schema = d.schema
	}
	if len(columns) == 0 {
		return false, nil
	}
	if ok, err := d.columnsThere(ctx, schema, table, columns); err != nil || !ok {
		return false, err
	}
	quoted, notNull := make([]string, len(columns)), make([]string, len(columns))
	for i, c := range columns {
		quoted[i] = pgx.Identifier{c}.Sanitize()
		notNull[i] = quoted[i] + " IS NOT NULL"
	}
	return d.anyRow(ctx, "SELECT 1 FROM "+pgx.Identifier{schema, table}.Sanitize()+" WHERE "+strings.Join(notNull, " AND ")+
		" GROUP BY "+strings.Join(quoted, ", ")+" HAVING COUNT(*) > 1 LIMIT 1")
}

// columnsThere says whether the table has every one of columns.
func (d *database) columnsThere(ctx context.Context, schema, table string, columns []string) (bool, error) {
	want := map[string]bool{}
	for _, c := range columns {
		want[c] = true
	}
	var n int
	err := d.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_attribute WHERE attrelid = to_regclass($1)
		AND attname = ANY($2) AND attnum > 0 AND NOT attisdropped`, pgx.Identifier{schema, table}.Sanitize(), columns).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("read the columns of %s.%s: %w", schema, table, err)
	}
	return n == len(want), nil
}

func (d *database) anyRow(ctx context.Context, q string) (bool, error) {
	var one int
	switch err := d.db.QueryRowContext(ctx, q).Scan(&one); {
	case err == sql.ErrNoRows:
		return false, nil
	case err != nil:
		return false, fmt.Errorf("%s: %w", q, err)
	}
	return true, nil
}

func (d *database) Split(sql string) ([]engine.Statement, error) {
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
		_, _ = d.lock.ExecContext(ctx, "SELECT pg_advisory_unlock($1)", dialect.MigrateLockKey(d.name, d.schema))
		d.lock.Close()
		d.lock = nil
	}
	return d.db.Close()
}
