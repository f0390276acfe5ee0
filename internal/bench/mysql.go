package main

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/hotswap/hotswap/internal/testdb"
)

// mysqlAlter is the idle and the under-load change on MariaDB: it rewrites
// the table (MODIFY CHAR to VARCHAR cannot be done in place).
const mysqlAlter = "ADD COLUMN x INT NOT NULL DEFAULT 0, MODIFY c VARCHAR(130) NOT NULL DEFAULT ''"

// mysqlBench runs on a throwaway MariaDB: tables are created and loaded as
// root, hotswap runs as the hotswap user with exactly its documented grants.
type mysqlBench struct {
	srv *testdb.MySQL
	db  *sql.DB // root, database bench
}

func (m *mysqlBench) name() string         { return "mysql" }
func (m *mysqlBench) label() string        { return "MariaDB" }
func (m *mysqlBench) pool() *sql.DB        { return m.db }
func (m *mysqlBench) targetRatio() float64 { return 1.2 }
func (m *mysqlBench) alter() string        { return mysqlAlter }

func (m *mysqlBench) blocking(table string) string {
	return "ALTER TABLE " + table + " " + mysqlAlter + ", ALGORITHM=COPY"
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
	if m.db, err = sql.Open("mysql", m.srv.RootDSN("bench")); err != nil {
		return err
	}
	m.db.SetMaxIdleConns(256) // the load's connections stay open
	return nil
}

func (m *mysqlBench) version(ctx context.Context) (v string, err error) {
	err = m.db.QueryRowContext(ctx, "SELECT VERSION()").Scan(&v)
	return
}

func (m *mysqlBench) create(ctx context.Context, table string) error {
	q := "CREATE TABLE " + table + ` (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, k INT NOT NULL DEFAULT 0,
		c CHAR(120) NOT NULL DEFAULT '', pad CHAR(60) NOT NULL DEFAULT '', KEY k_1 (k)) ENGINE=InnoDB`
	_, err := m.db.ExecContext(ctx, q)
	return err
}

// fill generates sysbench-like rows with the Sequence engine: k random in
// 1..rows, c 119 and pad 59 characters.
func (m *mysqlBench) fill(ctx context.Context, table string, rows int) error {
	const batch = 200_000
	for lo := 0; lo < rows; lo += batch {
		hi := min(lo+batch, rows)
		q := fmt.Sprintf(`INSERT INTO %s (k, c, pad)
			SELECT 1 + FLOOR(RAND(seq) * %d), LEFT(CONCAT(SHA2(seq, 256), SHA2(seq, 512)), 119), LEFT(SHA2(seq, 384), 59)
			FROM seq_%d_to_%d`, table, rows, lo+1, hi)
		if _, err := m.db.ExecContext(ctx, q); err != nil {
			return err
		}
		progress(table, hi, rows)
	}
	return nil
}

func (m *mysqlBench) twin(ctx context.Context, from, to string) error {
	_, err := m.db.ExecContext(ctx, "INSERT INTO "+to+" SELECT * FROM "+from)
	return err
}

func (m *mysqlBench) analyze(ctx context.Context, table string) error {
	rows, err := m.db.QueryContext(ctx, "ANALYZE TABLE "+table)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
	}
	return rows.Err()
}

func (m *mysqlBench) drop(ctx context.Context, tables ...string) error {
	_, err := m.db.ExecContext(ctx, "DROP TABLE IF EXISTS "+strings.Join(tables, ", "))
	return err
}

func (m *mysqlBench) hotswapArgs() ([]string, string) {
	return []string{"--host", m.srv.Host, "--port", fmt.Sprint(m.srv.Port), "--user", m.srv.User, "--database", "bench"},
		m.srv.Password
}

func (m *mysqlBench) writes(table string) writeSQL {
	return writeSQL{
		updateK: "UPDATE " + table + " SET k = k + 1 WHERE id = ?",
		updateC: "UPDATE " + table + " SET c = ? WHERE id = ?",
		del:     "DELETE FROM " + table + " WHERE id = ?",
		insert:  "INSERT INTO " + table + " (k, c, pad) VALUES (?, ?, ?)",
	}
}
