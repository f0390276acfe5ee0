package main

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/hotswap/hotswap/internal/testdb"
)

// postgresAlter is the idle and the under-load change on PostgreSQL: int to
// bigint rewrites the table and its indexes.
const postgresAlter = "ALTER COLUMN k TYPE bigint"

// postgresBench runs on a throwaway PostgreSQL. Database bench and its
// tables belong to the server's non-superuser role, which is also the role
// hotswap runs as (it must own the table); the superuser only creates the
// database.
type postgresBench struct {
	srv *testdb.Postgres
	db  *sql.DB // the table owner, database bench
}

func (p *postgresBench) name() string         { return "postgres" }
func (p *postgresBench) label() string        { return "PostgreSQL" }
func (p *postgresBench) pool() *sql.DB        { return p.db }
func (p *postgresBench) targetRatio() float64 { return 1.3 }
func (p *postgresBench) alter() string        { return postgresAlter }

func (p *postgresBench) blocking(table string) string {
	return "ALTER TABLE public." + table + " " + postgresAlter
}

func (p *postgresBench) start() error {
	srv, err := testdb.StartPostgres()
	if err != nil {
		return fmt.Errorf("start PostgreSQL (install it with: make setup, or apt-get install -y postgresql-15): %w", err)
	}
	p.srv = srv
	return nil
}

func (p *postgresBench) stop() error {
	if p.db != nil {
		p.db.Close()
	}
	return p.srv.Stop()
}

func (p *postgresBench) prepare(ctx context.Context) error {
	maint, err := sql.Open("pgx", p.srv.SuperDSN("postgres"))
	if err != nil {
		return err
	}
	defer maint.Close()
	stmt := fmt.Sprintf("CREATE DATABASE bench OWNER %s", pgx.Identifier{p.srv.User}.Sanitize())
	if _, err := maint.ExecContext(ctx, stmt); err != nil {
		return fmt.Errorf("%s: %w", stmt, err)
	}
	if p.db, err = sql.Open("pgx", p.srv.DSN("bench")); err != nil {
		return err
	}
	p.db.SetMaxIdleConns(256) // the load's connections stay open
	return nil
}

func (p *postgresBench) version(ctx context.Context) (v string, err error) {
	err = p.db.QueryRowContext(ctx, "SHOW server_version").Scan(&v)
	return
}

func (p *postgresBench) create(ctx context.Context, table string) error {
	for _, q := range []string{
		"CREATE TABLE public." + table + ` (id bigserial PRIMARY KEY, k int NOT NULL DEFAULT 0,
			c char(120) NOT NULL DEFAULT '', pad char(60) NOT NULL DEFAULT '')`,
		"CREATE INDEX " + table + "_k_idx ON public." + table + " (k)",
	} {
		if _, err := p.db.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// fill generates sysbench-like rows: k random in 1..rows, c 119 and pad 59
// characters; ids come from the sequence.
func (p *postgresBench) fill(ctx context.Context, table string, rows int) error {
	const batch = 200_000
	q := "INSERT INTO public." + table + ` (k, c, pad)
		SELECT 1 + floor(random() * $3)::int,
			left(md5(s::text) || md5((s + 1)::text) || md5((s + 2)::text) || md5((s + 3)::text), 119),
			left(md5((-s)::text) || md5((-s - 1)::text), 59)
		FROM generate_series($1::bigint, $2::bigint) AS s`
	for lo := 0; lo < rows; lo += batch {
		hi := min(lo+batch, rows)
		if _, err := p.db.ExecContext(ctx, q, lo+1, hi, rows); err != nil {
			return err
		}
		progress(table, hi, rows)
	}
	return nil
}

// twin copies the rows with their ids and moves to's sequence past them, so
// the load's inserts do not collide.
func (p *postgresBench) twin(ctx context.Context, from, to string) error {
	for _, q := range []string{
		"INSERT INTO public." + to + " SELECT * FROM public." + from,
		fmt.Sprintf("SELECT setval(pg_get_serial_sequence('public.%s', 'id'), (SELECT max(id) FROM public.%s))", to, to),
	} {
		if _, err := p.db.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// analyze also vacuums: hint bits and the visibility map are then set on
// every table alike, so neither ALTER pays for the load's first scan.
func (p *postgresBench) analyze(ctx context.Context, table string) error {
	_, err := p.db.ExecContext(ctx, "VACUUM (ANALYZE) public."+table)
	return err
}

func (p *postgresBench) drop(ctx context.Context, tables ...string) error {
	qualified := make([]string, len(tables))
	for i, t := range tables {
		qualified[i] = "public." + t
	}
	_, err := p.db.ExecContext(ctx, "DROP TABLE IF EXISTS "+strings.Join(qualified, ", "))
	return err
}

func (p *postgresBench) hotswapArgs() ([]string, string) {
	return []string{"--engine", "postgres", "--host", p.srv.Host, "--port", fmt.Sprint(p.srv.Port),
		"--user", p.srv.User, "--database", "bench"}, p.srv.Password
}

func (p *postgresBench) writes(table string) writeSQL {
	t := "public." + table
	return writeSQL{
		updateK: "UPDATE " + t + " SET k = k + 1 WHERE id = $1",
		updateC: "UPDATE " + t + " SET c = $1 WHERE id = $2",
		del:     "DELETE FROM " + t + " WHERE id = $1",
		insert:  "INSERT INTO " + t + " (k, c, pad) VALUES ($1, $2, $3)",
	}
}
