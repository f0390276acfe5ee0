package main

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/hotswap/hotswap/internal/testdb"
)

// postgresDemo runs the demo on a throwaway PostgreSQL. Database demo and
// table orders belong to the server's non-superuser role, which is also the
// role hotswap runs as (it must own the table); the superuser only creates
// the database and checks for leftover slots and publications.
type postgresDemo struct {
	srv   *testdb.Postgres
	db    *sql.DB // the table owner, database demo
	super *sql.DB // the superuser, database demo
}

func (d *postgresDemo) name() string { return "PostgreSQL" }

func (d *postgresDemo) start() error {
	srv, err := testdb.StartPostgres()
	if err != nil {
		return fmt.Errorf("start PostgreSQL (install it with: make setup, or apt-get install -y postgresql-15): %w", err)
	}
	d.srv = srv
	return nil
}

func (d *postgresDemo) stop() error {
	for _, db := range []*sql.DB{d.db, d.super} {
		if db != nil {
			db.Close()
		}
	}
	return d.srv.Stop()
}

func (d *postgresDemo) prepare(ctx context.Context) error {
	maint, err := sql.Open("pgx", d.srv.SuperDSN("postgres"))
	if err != nil {
		return err
	}
	defer maint.Close()
	stmt := fmt.Sprintf("CREATE DATABASE demo OWNER %s", pgx.Identifier{d.srv.User}.Sanitize())
	if _, err := maint.ExecContext(ctx, stmt); err != nil {
		return fmt.Errorf("%s: %w", stmt, err)
	}
	if d.db, err = sql.Open("pgx", d.srv.DSN("demo")); err != nil {
		return err
	}
	d.super, err = sql.Open("pgx", d.srv.SuperDSN("demo"))
	return err
}

func (d *postgresDemo) load(ctx context.Context, rows int) error {
	step("creating public.orders with %d rows (owner %s)", rows, d.srv.User)
	create := `CREATE TABLE public.orders (id bigserial PRIMARY KEY, customer int NOT NULL, amount numeric(10,2),
		status varchar(16), note varchar(100), created timestamptz)`
	if _, err := d.db.ExecContext(ctx, create); err != nil {
		return fmt.Errorf("%s: %w", create, err)
	}
	const batch = 100_000
	for lo := 0; lo < rows; lo += batch {
		n := min(batch, rows-lo)
		q := `INSERT INTO public.orders (customer, amount, status, note, created)
			SELECT s % 50000, (s % 100000) / 100.0, (ARRAY['new', 'paid', 'shipped'])[1 + s % 3],
				'order ' || s || ' ✓', timestamptz '2026-01-01 00:00:00+00' + s * interval '1 second'
			FROM generate_series($1::bigint, $2::bigint) AS s`
		if _, err := d.db.ExecContext(ctx, q, lo+1, lo+n); err != nil {
			return fmt.Errorf("load rows: %w", err)
		}
		fmt.Printf("    loaded %d rows\n", lo+n)
	}
	if _, err := d.db.ExecContext(ctx, "ANALYZE public.orders"); err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	return nil
}

func (d *postgresDemo) write(ctx context.Context, rows int) error {
	id := 1 + rand.IntN(rows)
	var err error
	switch rand.IntN(10) {
	case 0:
		_, err = d.db.ExecContext(ctx, "DELETE FROM public.orders WHERE id = $1", id)
	case 1, 2:
		_, err = d.db.ExecContext(ctx, "INSERT INTO public.orders (customer, amount, status, note, created) VALUES ($1, $2, 'new', 'live write', now())",
			rand.IntN(50000), rand.IntN(100000))
	default:
		_, err = d.db.ExecContext(ctx, "UPDATE public.orders SET amount = amount + 1, status = 'paid' WHERE id = $1", id)
	}
	return err
}

func (d *postgresDemo) alter() string {
	return "ALTER COLUMN customer TYPE bigint, ADD COLUMN priority smallint NOT NULL DEFAULT 0, ALTER COLUMN note TYPE text"
}

func (d *postgresDemo) hotswapArgs() ([]string, string) {
	return []string{"--engine", "postgres", "--host", d.srv.Host, "--port", fmt.Sprint(d.srv.Port),
		"--user", d.srv.User, "--database", "demo"}, d.srv.Password
}

func (d *postgresDemo) report(ctx context.Context, w *writer) error {
	if err := d.showTable(ctx, "public.orders"); err != nil {
		return err
	}
	step("comparing public._orders_old (the original) with public.orders (the new table)")
	// The shared columns; customer was int and note varchar(100) before.
	sum := func(table, customer, note string) (s tableSum, err error) {
		q := fmt.Sprintf(`SELECT count(*), COALESCE(sum(hashtext(ROW(id, %s, amount, status, %s, created)::text)), 0)
			FROM public.%s`, customer, note, table)
		err = d.db.QueryRowContext(ctx, q).Scan(&s.rows, &s.checksum)
		return
	}
	oldSum, err := sum("_orders_old", "customer::bigint", "note::text")
	if err != nil {
		return fmt.Errorf("checksum _orders_old: %w", err)
	}
	newSum, err := sum("orders", "customer", "note")
	if err != nil {
		return fmt.Errorf("checksum orders: %w", err)
	}
	var diff int64
	q := `SELECT count(*) FROM public._orders_old o FULL OUTER JOIN public.orders n ON n.id = o.id
		WHERE o.id IS NULL OR n.id IS NULL
			OR o.customer::bigint IS DISTINCT FROM n.customer OR o.amount IS DISTINCT FROM n.amount
			OR o.status IS DISTINCT FROM n.status OR o.note::text IS DISTINCT FROM n.note
			OR o.created IS DISTINCT FROM n.created`
	if err := d.db.QueryRowContext(ctx, q).Scan(&diff); err != nil {
		return fmt.Errorf("compare rows: %w", err)
	}
	if err := compare("_orders_old", oldSum, "orders", newSum, diff, w); err != nil {
		return err
	}
	return d.checkLeftovers(ctx)
}

// showTable prints the columns (pg_attribute, format_type) and indexes
// (pg_indexes) of table.
func (d *postgresDemo) showTable(ctx context.Context, table string) error {
	step("new definition of %s", table)
	rows, err := d.db.QueryContext(ctx, `SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
			COALESCE(pg_get_expr(ad.adbin, ad.adrelid), '')
		FROM pg_attribute a LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
		WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
		ORDER BY a.attnum`, table)
	if err != nil {
		return fmt.Errorf("columns of %s: %w", table, err)
	}
	defer rows.Close()
	fmt.Println("    columns:")
	for rows.Next() {
		var name, typ, def string
		var notNull bool
		if err := rows.Scan(&name, &typ, &notNull, &def); err != nil {
			return err
		}
		line := fmt.Sprintf("      %-10s %s", name, typ)
		if notNull {
			line += " NOT NULL"
		}
		if def != "" {
			line += " DEFAULT " + def
		}
		fmt.Println(line)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	schema, name, _ := strings.Cut(table, ".")
	idx, err := d.db.QueryContext(ctx, `SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = $2 ORDER BY indexname`, schema, name)
	if err != nil {
		return fmt.Errorf("indexes of %s: %w", table, err)
	}
	defer idx.Close()
	fmt.Println("    indexes:")
	for idx.Next() {
		var def string
		if err := idx.Scan(&def); err != nil {
			return err
		}
		fmt.Println("     ", def)
	}
	return idx.Err()
}

// checkLeftovers fails unless hotswap dropped its replication slot and
// publication.
func (d *postgresDemo) checkLeftovers(ctx context.Context) error {
	step("checking that hotswap left no replication slot or publication behind")
	list := func(q string) ([]string, error) {
		rows, err := d.super.QueryContext(ctx, q)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var names []string
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				return nil, err
			}
			names = append(names, n)
		}
		return names, rows.Err()
	}
	slots, err := list("SELECT slot_name || ' (' || slot_type || ', ' || COALESCE(database, '-') || ', active=' || active || ')' FROM pg_replication_slots ORDER BY 1")
	if err != nil {
		return fmt.Errorf("pg_replication_slots: %w", err)
	}
	pubs, err := list("SELECT pubname FROM pg_publication ORDER BY 1")
	if err != nil {
		return fmt.Errorf("pg_publication: %w", err)
	}
	fmt.Printf("    pg_replication_slots: %d rows %v\n    pg_publication (database demo): %d rows %v\n", len(slots), slots, len(pubs), pubs)
	if len(slots) > 0 || len(pubs) > 0 {
		return fmt.Errorf("hotswap left %d replication slot(s) and %d publication(s) behind", len(slots), len(pubs))
	}
	step("clean: no replication slots, no publications")
	return nil
}
