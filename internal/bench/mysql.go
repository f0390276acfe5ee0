package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hotswap/hotswap/internal/testdb"
)

// mysqlBench runs on a throwaway MariaDB: sysbench (the application) and
// pt-online-schema-change connect as root, hotswap as the hotswap user with
// exactly its documented grants.
type mysqlBench struct {
	alterSQL string
	settings []string // SET GLOBAL assignments made once the server is up (-mysql-set)
	srv      *testdb.MySQL
	db       *sql.DB // root, database bench
}

func (m *mysqlBench) name() string        { return "mysql" }
func (m *mysqlBench) label() string       { return "MariaDB" }
func (m *mysqlBench) pool() *sql.DB       { return m.db }
func (m *mysqlBench) idleTarget() float64 { return 1.2 }
func (m *mysqlBench) loadTarget() float64 { return 1.5 }
func (m *mysqlBench) alter() string       { return m.alterSQL }

func (m *mysqlBench) blocking(table string) string {
	return "ALTER TABLE " + table + " " + m.alterSQL + ", ALGORITHM=COPY"
}

func (m *mysqlBench) start() error {
	srv, err := testdb.StartMySQL()
	if err != nil {
		return fmt.Errorf("start MariaDB (install it with: make setup, or apt-get install -y mariadb-server): %w", err)
	}
	m.srv = srv
	return nil
}

func (m *mysqlBench) stop() error {
	if m.db != nil {
		m.db.Close()
	}
	return m.srv.Stop()
}

func (m *mysqlBench) prepare(ctx context.Context) error {
	root, err := sql.Open("mysql", m.srv.RootDSN(""))
	if err != nil {
		return err
	}
	defer root.Close()
	if _, err := root.ExecContext(ctx, "CREATE DATABASE bench"); err != nil {
		return err
	}
	for _, set := range m.settings {
		if _, err := root.ExecContext(ctx, "SET GLOBAL "+set); err != nil {
			return fmt.Errorf("-mysql-set %s: %w", set, err)
		}
	}
	m.db, err = sql.Open("mysql", m.srv.RootDSN("bench"))
	return err
}

func (m *mysqlBench) version(ctx context.Context) (v string, err error) {
	err = m.db.QueryRowContext(ctx, "SELECT VERSION()").Scan(&v)
	return
}

func (m *mysqlBench) sysbenchOptions() []string {
	return []string{"db-driver=mysql", "mysql-host=" + m.srv.Host, fmt.Sprintf("mysql-port=%d", m.srv.Port),
		"mysql-user=" + m.srv.RootUser, "mysql-password=" + m.srv.RootPassword, "mysql-db=bench"}
}

// keepPristine renames sysbench's freshly prepared table: every step starts
// from a copy of it.
func (m *mysqlBench) keepPristine(ctx context.Context) error {
	_, err := m.db.ExecContext(ctx, "RENAME TABLE "+sysbenchTable+" TO "+pristineTable)
	return err
}

func (m *mysqlBench) reset(ctx context.Context, table string) error {
	for _, q := range []string{
		"DROP TABLE IF EXISTS " + strings.Join(leftovers(table), ", "),
		"CREATE TABLE " + table + " LIKE " + pristineTable,
		"INSERT INTO " + table + " SELECT * FROM " + pristineTable,
	} {
		if _, err := m.db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	rows, err := m.db.QueryContext(ctx, "ANALYZE TABLE "+table)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
	}
	return rows.Err()
}

func (m *mysqlBench) hotswapArgs() ([]string, string) {
	return []string{"--host", m.srv.Host, "--port", fmt.Sprint(m.srv.Port), "--user", m.srv.User, "--database", "bench"},
		m.srv.Password
}

// ptoscDSN writes root's password to an option file in dir and returns the
// DSN naming it (F=): the password is on no command line.
func (m *mysqlBench) ptoscDSN(dir string) (string, error) {
	path := filepath.Join(dir, "ptosc.cnf")
	if err := os.WriteFile(path, []byte("[client]\npassword="+m.srv.RootPassword+"\n"), 0o600); err != nil {
		return "", err
	}
	return fmt.Sprintf("D=bench,h=%s,P=%d,u=%s,F=%s", m.srv.Host, m.srv.Port, m.srv.RootUser, path), nil
}
