package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/hotswap/hotswap/internal/testdb"
)

// postgresBench runs on a throwaway PostgreSQL. Database bench and its
// tables belong to the server's non-superuser role, which sysbench and
// hotswap connect as (hotswap must own the table); the superuser only creates
// the database.
type postgresBench struct {
	alterSQL string
	srv      *testdb.Postgres
	db       *sql.DB // the table owner, database bench
}

func (p *postgresBench) name() string        { return "postgres" }
func (p *postgresBench) label() string       { return "PostgreSQL" }
func (p *postgresBench) pool() *sql.DB       { return p.db }
func (p *postgresBench) idleTarget() float64 { return 1.3 }
func (p *postgresBench) loadTarget() float64 { return 2 }
func (p *postgresBench) alter() string       { return p.alterSQL }

func (p *postgresBench) blocking(table string) string {
	return "ALTER TABLE public." + table + " " + p.alterSQL
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
	p.db, err = sql.Open("pgx", p.srv.DSN("bench"))
	return err
}

func (p *postgresBench) version(ctx context.Context) (v string, err error) {
	err = p.db.QueryRowContext(ctx, "SHOW server_version").Scan(&v)
	return
}

func (p *postgresBench) sysbenchOptions() []string {
	return []string{"db-driver=pgsql", "pgsql-host=" + p.srv.Host, fmt.Sprintf("pgsql-port=%d", p.srv.Port),
		"pgsql-user=" + p.srv.User, "pgsql-password=" + p.srv.Password, "pgsql-db=bench"}
}

// keepPristine keeps the rows of sysbench's freshly prepared table (its
// serial sequence goes with it): every step starts from a copy of them.
func (p *postgresBench) keepPristine(ctx context.Context) error {
	for _, q := range []string{
		"CREATE TABLE public." + pristineTable + " AS SELECT * FROM public." + sysbenchTable,
		"DROP TABLE public." + sysbenchTable,
	} {
		if _, err := p.db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}

// reset makes table as sysbench's prepare does (oltp_common.lua: SERIAL key,
// index k_1 built after the rows), with the pristine rows, the sequence past
// them, vacuumed and analyzed (hint bits and the visibility map set alike for
// every step).
func (p *postgresBench) reset(ctx context.Context, table string) error {
	drop := make([]string, 0, 4)
	for _, t := range leftovers(table) {
		drop = append(drop, "public."+t)
	}
	t := "public." + table
	for _, q := range []string{
		"DROP TABLE IF EXISTS " + strings.Join(drop, ", "),
		"CREATE TABLE " + t + ` (id SERIAL, k INTEGER DEFAULT '0' NOT NULL, c CHAR(120) DEFAULT '' NOT NULL,
			pad CHAR(60) DEFAULT '' NOT NULL, PRIMARY KEY (id))`,
		"INSERT INTO " + t + " SELECT * FROM public." + pristineTable,
		fmt.Sprintf("SELECT setval(pg_get_serial_sequence('%s', 'id'), (SELECT max(id) FROM %s))", t, t),
		"CREATE INDEX ON " + t + " (k)", // sysbench names it k_1; any name that is free will do
		"VACUUM (ANALYZE) " + t,
	} {
		if _, err := p.db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", firstLine(q), err)
		}
	}
	return nil
}

func (p *postgresBench) hotswapArgs() ([]string, string) {
	return []string{"--engine", "postgres", "--host", p.srv.Host, "--port", fmt.Sprint(p.srv.Port),
		"--user", p.srv.User, "--database", "bench"}, p.srv.Password
}

func (p *postgresBench) ptoscDSN(string) (string, error) {
	return "", errors.New("pt-online-schema-change is a MySQL tool")
}
