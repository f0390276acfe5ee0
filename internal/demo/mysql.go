package main

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"

	"github.com/hotswap/hotswap/internal/testdb"
)

// mysqlDemo runs the demo on a throwaway MariaDB, as root.
type mysqlDemo struct {
	srv   *testdb.MySQL
	admin *sql.DB // root, database demo
}

func (d *mysqlDemo) name() string { return "MariaDB" }

func (d *mysqlDemo) start() error {
	srv, err := testdb.StartMySQL()
	if err != nil {
		return fmt.Errorf("start MariaDB (install it with: apt-get install -y mariadb-server): %w", err)
	}
	d.srv = srv
	return nil
}

func (d *mysqlDemo) stop() error {
	if d.admin != nil {
		d.admin.Close()
	}
	return d.srv.Stop()
}

func (d *mysqlDemo) prepare(ctx context.Context) error {
	db, err := sql.Open("mysql", d.srv.RootDSN(""))
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err = db.ExecContext(ctx, "CREATE DATABASE demo"); err != nil {
		return err
	}
	d.admin, err = sql.Open("mysql", d.srv.RootDSN("demo"))
	return err
}

func (d *mysqlDemo) load(ctx context.Context, rows int) error {
	step("creating demo.orders with %d rows", rows)
	stmts := []string{
		`CREATE TABLE demo.orders (id BIGINT PRIMARY KEY AUTO_INCREMENT, customer INT NOT NULL, amount DECIMAL(10,2),
			status VARCHAR(16), note VARCHAR(100), created DATETIME(3)) DEFAULT CHARSET=utf8mb4`,
	}
	for _, s := range stmts {
		if _, err := d.admin.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	const batch = 100_000
	for lo := 0; lo < rows; lo += batch {
		n := min(batch, rows-lo)
		q := fmt.Sprintf(`INSERT INTO demo.orders (customer, amount, status, note, created)
			SELECT seq %% 50000, (seq %% 100000) / 100, ELT(1 + seq %% 3, 'new', 'paid', 'shipped'),
				CONCAT('order ', seq, ' ✓'), '2026-01-01' + INTERVAL seq SECOND FROM seq_1_to_%d`, n)
		if _, err := d.admin.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("load rows: %w", err)
		}
		fmt.Printf("    loaded %d rows\n", lo+n)
	}
	return nil
}

func (d *mysqlDemo) write(ctx context.Context, rows int) error {
	id := 1 + rand.IntN(rows)
	var err error
	switch rand.IntN(10) {
	case 0:
		_, err = d.admin.ExecContext(ctx, "DELETE FROM demo.orders WHERE id = ?", id)
	case 1, 2:
		_, err = d.admin.ExecContext(ctx, "INSERT INTO demo.orders (customer, amount, status, note, created) VALUES (?, ?, 'new', 'live write', NOW(3))",
			rand.IntN(50000), rand.IntN(100000))
	default:
		_, err = d.admin.ExecContext(ctx, "UPDATE demo.orders SET amount = amount + 1, status = 'paid' WHERE id = ?", id)
	}
	return err
}

func (d *mysqlDemo) alter() string {
	return "ADD COLUMN priority TINYINT NOT NULL DEFAULT 0, MODIFY note VARCHAR(255), ADD INDEX ix_customer (customer)"
}

func (d *mysqlDemo) hotswapArgs() ([]string, string) {
	return []string{"--host", d.srv.Host, "--port", fmt.Sprint(d.srv.Port), "--user", d.srv.User, "--database", "demo"}, d.srv.Password
}

func (d *mysqlDemo) report(ctx context.Context, w *writer) error {
	db := d.admin
	var name, ddl string
	if err := db.QueryRowContext(ctx, "SHOW CREATE TABLE demo.orders").Scan(&name, &ddl); err != nil {
		return err
	}
	step("new schema of demo.orders")
	fmt.Println(ddl)
	step("comparing demo._orders_old (the original) with demo.orders (the new table)")
	cols := "id, customer, amount, status, note, created"
	sum := func(table string) (s tableSum, err error) {
		err = db.QueryRowContext(ctx, fmt.Sprintf("SELECT COUNT(*), COALESCE(BIT_XOR(CRC32(CONCAT_WS('|', %s))), 0) FROM demo.%s", cols, table)).Scan(&s.rows, &s.checksum)
		return
	}
	oldSum, err := sum("_orders_old")
	if err != nil {
		return err
	}
	newSum, err := sum("orders")
	if err != nil {
		return err
	}
	var diff int64
	q := `SELECT COUNT(*) FROM demo._orders_old o LEFT JOIN demo.orders n ON n.id = o.id
		WHERE n.id IS NULL OR NOT (o.customer <=> n.customer AND o.amount <=> n.amount AND o.status <=> n.status
		AND o.note <=> n.note AND o.created <=> n.created)`
	if err := db.QueryRowContext(ctx, q).Scan(&diff); err != nil {
		return err
	}
	return compare("_orders_old", oldSum, "orders", newSum, diff, w)
}
