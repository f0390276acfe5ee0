package migration_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	driver "github.com/go-sql-driver/mysql"

	"github.com/hotswap/hotswap/engine"
	"github.com/hotswap/hotswap/internal/testdb"
	"github.com/hotswap/hotswap/migration"
)

const fkOrders = 20000

// fkSchema: orders references customers (a named key) and regions (a key
// the server named, orders_ibfk_1), both RESTRICT / NO ACTION.
var fkSchema = []string{
	"CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(20) NOT NULL) ENGINE=InnoDB",
	"CREATE TABLE regions (code CHAR(2) PRIMARY KEY) ENGINE=InnoDB",
	"INSERT INTO regions VALUES ('EU'), ('US')",
	"INSERT INTO customers SELECT seq, CONCAT('c', seq) FROM seq_1_to_2000",
	`CREATE TABLE orders (id INT PRIMARY KEY, customer_id INT NOT NULL, region CHAR(2) NULL, amount INT NOT NULL,
		KEY (customer_id), KEY (region),
		CONSTRAINT orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id),
		FOREIGN KEY (region) REFERENCES regions (code) ON DELETE NO ACTION) ENGINE=InnoDB`,
	fmt.Sprintf("INSERT INTO orders SELECT seq, seq %% 2000 + 1, IF(seq %% 2 = 0, 'EU', NULL), seq FROM seq_1_to_%d", fkOrders),
}

// fkWriter is an application of customers and their orders: each worker
// creates customers with orders, deletes a customer's orders and then the
// customer in one transaction (what a RESTRICT key asks of it), updates
// and adds orders. It keeps what it expects orders to hold.
type fkWriter struct {
	e       *env
	mu      sync.Mutex
	orders  map[int][2]int // id -> customer, amount
	deleted int            // customers deleted with their orders
	created int            // customers created
	notes   bool           // each customer created gets a note (notes: ON DELETE CASCADE)
	errs    []error
}

func newFKWriter(e *env) *fkWriter {
	w := &fkWriter{e: e, orders: map[int][2]int{}}
	for id := 1; id <= fkOrders; id++ {
		w.orders[id] = [2]int{id%2000 + 1, id}
	}
	return w
}

func (w *fkWriter) run(ctx context.Context, worker, n int) {
	mine := map[int][]int{} // this worker's customers -> their orders
	next := worker
	id := func() int { next += n; return 1_000_000 + next }
	for i := 0; ctx.Err() == nil; i++ {
		var err error
		cus := pickKey(mine)
		switch {
		case i%4 == 0 || cus == 0:
			cus = id()
			o1, o2 := id(), id()
			err = w.tx(func(tx *sql.Tx) error {
				stmts := []string{fmt.Sprintf("INSERT INTO customers (id, name) VALUES (%d, 'w')", cus),
					fmt.Sprintf("INSERT INTO orders (id, customer_id, amount) VALUES (%d, %d, 1), (%d, %d, 1)", o1, cus, o2, cus)}
				if w.notes {
					stmts = append(stmts, fmt.Sprintf("INSERT INTO notes VALUES (%d, %d)", cus, cus))
				}
				return execAll(tx, stmts...)
			}, func() {
				mine[cus] = []int{o1, o2}
				w.orders[o1], w.orders[o2] = [2]int{cus, 1}, [2]int{cus, 1}
				w.created++
			})
		case i%4 == 1:
			err = w.tx(func(tx *sql.Tx) error {
				return execAll(tx, fmt.Sprintf("DELETE FROM orders WHERE customer_id = %d", cus), fmt.Sprintf("DELETE FROM customers WHERE id = %d", cus))
			}, func() {
				for _, o := range mine[cus] {
					delete(w.orders, o)
				}
				delete(mine, cus)
				w.deleted++
			})
		case i%4 == 2:
			o := mine[cus][0]
			err = w.tx(func(tx *sql.Tx) error {
				return execAll(tx, fmt.Sprintf("UPDATE orders SET amount = amount + 1 WHERE id = %d", o))
			},
				func() { r := w.orders[o]; r[1]++; w.orders[o] = r })
		default:
			o := id()
			err = w.tx(func(tx *sql.Tx) error {
				return execAll(tx, fmt.Sprintf("INSERT INTO orders (id, customer_id, amount) VALUES (%d, %d, 7)", o, cus))
			}, func() { mine[cus] = append(mine[cus], o); w.orders[o] = [2]int{cus, 7} })
		}
		if err != nil {
			w.mu.Lock()
			w.errs = append(w.errs, err)
			w.mu.Unlock()
		}
		time.Sleep(time.Millisecond)
	}
}

func execAll(tx *sql.Tx, stmts ...string) error {
	for _, s := range stmts {
		if _, err := tx.Exec(s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}

// tx runs body in a transaction and, once committed, applies it to the
// model.
func (w *fkWriter) tx(body func(*sql.Tx) error, model func()) error {
	return commitThen(w.e.admin, &w.mu, body, model)
}

// commitThen runs body in a transaction of db and, once it is committed,
// applies it to the application's model under mu.
func commitThen(db *sql.DB, mu *sync.Mutex, body func(*sql.Tx) error, model func()) error {
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	if err := body(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	mu.Lock()
	defer mu.Unlock()
	model()
	return nil
}

// pickKey is a random key of m, 0 when empty.
func pickKey(m map[int][]int) int {
	if len(m) == 0 {
		return 0
	}
	n := rand.IntN(len(m))
	for k := range m {
		if n == 0 {
			return k
		}
		n--
	}
	return 0
}

// TestMySQLForeignKeysFollowTheTable migrates orders, a child of two
// tables, under an application that deletes customers with their orders in
// one transaction (which the old table's key would refuse if it kept it a
// moment after the swap): no write fails, every order is what the
// application wrote, the new table has both keys under their own names
// (the renamed column in its key), enforced, and the old table none.
func TestMySQLForeignKeysFollowTheTable(t *testing.T) {
	e := newEnv(t)
	e.exec(fkSchema...)
	w := newFKWriter(e)
	underWriters(3, w.run, func() {
		cfg := e.config("orders", "ADD COLUMN note VARCHAR(20) NULL, RENAME COLUMN region TO region_code")
		cfg.ChunkSize = 500
		out, err := e.run(cfg)
		t.Logf("%s", out)
		if err != nil {
			t.Fatalf("migration failed: %v", err)
		}
	})
	if len(w.errs) > 0 {
		t.Fatalf("the application saw %d errors (first: %v)", len(w.errs), w.errs[0])
	}
	got := map[int][2]int{}
	rows, err := e.admin.Query("SELECT id, customer_id, amount FROM orders")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, cus, amount int
		rows.Scan(&id, &cus, &amount)
		got[id] = [2]int{cus, amount}
	}
	rows.Close()
	if len(got) != len(w.orders) {
		t.Errorf("orders has %d rows, the application expects %d", len(got), len(w.orders))
	}
	for id, r := range w.orders {
		if got[id] != r {
			t.Fatalf("order %d: %v, the application expects %v", id, got[id], r)
		}
	}
	requireMySQLKeys(t, e, "orders.orders_customer(customer_id)->customers(id),orders.orders_ibfk_1(region_code)->regions(code)")
	if n := e.scalar("SELECT COUNT(*) FROM orders o LEFT JOIN customers c ON c.id = o.customer_id WHERE c.id IS NULL"); n != 0 {
		t.Errorf("%d orders have no customer", n)
	}
	for stmt, code := range map[string]uint16{
		"INSERT INTO orders (id, customer_id, amount) VALUES (-1, 99999999, 1)":             1452,
		"INSERT INTO orders (id, customer_id, region_code, amount) VALUES (-2, 1, 'XX', 1)": 1452,
		"DELETE FROM customers WHERE id = 1":                                                1451,
		"DELETE FROM regions WHERE code = 'EU'":                                             1451,
	} {
		_, err := e.admin.Exec(stmt)
		var me *driver.MySQLError
		if !errors.As(err, &me) || me.Number != code {
			t.Errorf("%s: %v, want error %d (the key holds on the new table)", stmt, err, code)
		}
	}
	if _, err := e.admin.Exec("DELETE FROM customers WHERE id = 2000000"); err != nil {
		t.Errorf("a customer without orders cannot be deleted: %v", err)
	}
	t.Logf("application: %d orders, %d customers deleted with their orders, 0 errors", len(w.orders), w.deleted)
}

// requireMySQLKeys: the database's foreign keys are exactly want
// (child.name(columns)->parent(columns), sorted), none on an old table.
func requireMySQLKeys(t *testing.T, e *env, want string) {
	t.Helper()
	got := strings.Join(testdb.Strings(t, e.admin, `SELECT CONCAT(TABLE_NAME, '.', CONSTRAINT_NAME, '(', GROUP_CONCAT(COLUMN_NAME ORDER BY ORDINAL_POSITION), ')->',
			REFERENCED_TABLE_NAME, '(', GROUP_CONCAT(REFERENCED_COLUMN_NAME ORDER BY ORDINAL_POSITION), ')')
		FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = DATABASE() AND REFERENCED_TABLE_NAME IS NOT NULL
		GROUP BY TABLE_NAME, CONSTRAINT_NAME, REFERENCED_TABLE_NAME ORDER BY 1`), ",")
	if got != want {
		t.Errorf("foreign keys: %s\nwant %s (own names, on the live table only)", got, want)
	}
}

// TestMySQLForeignKeysPlanAndRefusals: the dry run lists the keys and what
// the cut-over does; what cannot be carried is refused with the key's name
// (or the server's reason) before anything changes.
func TestMySQLForeignKeysPlanAndRefusals(t *testing.T) {
	e := newEnv(t)
	e.exec(fkSchema...)
	dry := e.config("orders", "ADD COLUMN note VARCHAR(20) NULL")
	dry.Execute = false
	out, err := e.run(dry)
	if err != nil || !strings.Contains(out, "Foreign key orders_customer (customer_id) REFERENCES customers (id): added to the new table at the cut-over while customers is read-locked") {
		t.Errorf("the dry run does not list the keys (%v):\n%s", err, out)
	}
	const items = "CREATE TABLE items (id INT PRIMARY KEY, order_id INT NOT NULL, FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE) ENGINE=InnoDB"
	for _, c := range []struct{ setup, table, alter, want string }{
		{items, "items", "DROP FOREIGN KEY items_ibfk_1, ADD COLUMN n INT", "the ALTER drops a foreign key of " + e.db + ".items: drop it first"},
		{"DROP TABLE items", "orders", "DROP FOREIGN KEY orders_customer, ADD COLUMN n INT", "the ALTER drops a foreign key of " + e.db + ".orders: drop it first"},
		{"", "orders", "DROP COLUMN customer_id", "foreign key"},
		{"", "orders", "MODIFY customer_id BIGINT NOT NULL", "foreign key"},
		{"", "orders", "ADD CONSTRAINT extra FOREIGN KEY (amount) REFERENCES customers (id)", "the ALTER adds a foreign key"},
		{"", "customers", "RENAME COLUMN id TO cid", "the ALTER renames column id of " + e.db + ".customers, which foreign key orders.orders_customer references"},
		{"", "customers", "MODIFY id BIGINT NOT NULL", "the ALTER drops or changes column id of " + e.db + ".customers, which foreign key orders.orders_customer references"},
		{"CREATE TABLE emp (id INT PRIMARY KEY, boss INT, FOREIGN KEY (boss) REFERENCES emp (id))", "emp", "ADD COLUMN n INT", "foreign key emp_ibfk_1 of " + e.db + ".emp references the table itself"},
	} {
		if c.setup != "" {
			e.exec(c.setup)
		}
		before := e.tables()
		_, err := e.run(e.config(c.table, c.alter))
		if !migration.IsRefused(err) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want refused: %s", c.alter, err, c.want)
		}
		if after := e.tables(); after != before {
			t.Errorf("%s: the refusal changed the tables: %s, was %s", c.alter, after, before)
		}
	}
	requireMySQLKeys(t, e, "emp.emp_ibfk_1(boss)->emp(id),orders.orders_customer(customer_id)->customers(id),orders.orders_ibfk_1(region)->regions(code)")
	dry = e.config("customers", "ADD COLUMN email VARCHAR(40) NULL")
	dry.Execute = false
	if out, err := e.run(dry); err != nil || !strings.Contains(out, "Foreign key orders.orders_customer (customer_id) REFERENCES customers (id): re-pointed at the new table at the cut-over") {
		t.Errorf("the dry run of the parent does not list the keys referencing it (%v):\n%s", err, out)
	}
	_, done, setOut := startSet(t, e.config("", ""), []engine.TableAlter{
		{Table: "orders", Clauses: "ADD COLUMN note VARCHAR(20) NULL"}, {Table: "customers", Clauses: "ADD COLUMN email VARCHAR(40) NULL"}})
	if err := <-done; !migration.IsRefused(err) || !strings.Contains(err.Error(), "which this run changes too") {
		t.Errorf("a set of a child and its parent: %v, want refused (keys between the tables of one run)\n%s", err, setOut.String())
	}
}

// TestMySQLForeignKeysReferencingTheTableFollowIt migrates customers, the
// parent, under the same application, which also gives each customer it
// creates a note (notes: ON DELETE CASCADE, so deleting the customer
// deletes it): the children's keys are re-pointed at the new table (a
// customer created afterwards takes orders and notes, one with orders
// cannot be deleted, deleting one cascades), no write fails, no order or
// note is lost or orphaned.
func TestMySQLForeignKeysReferencingTheTableFollowIt(t *testing.T) {
	e := newEnv(t)
	e.exec(fkSchema...)
	e.exec("CREATE TABLE notes (id INT PRIMARY KEY, customer_id INT NOT NULL, CONSTRAINT note_customer FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE) ENGINE=InnoDB",
		"INSERT INTO notes SELECT seq, seq FROM seq_1_to_2000")
	w := newFKWriter(e)
	w.notes = true
	underWriters(3, w.run, func() {
		cfg := e.config("customers", "ADD COLUMN email VARCHAR(40) NULL, MODIFY name VARCHAR(40) NOT NULL")
		out, err := e.run(cfg)
		t.Logf("%s", out)
		if err != nil {
			t.Fatalf("migration failed: %v", err)
		}
	})
	if len(w.errs) > 0 {
		t.Fatalf("the application saw %d errors (first: %v)", len(w.errs), w.errs[0])
	}
	requireMySQLKeys(t, e, "notes.note_customer(customer_id)->customers(id),orders.orders_customer(customer_id)->customers(id),orders.orders_ibfk_1(region)->regions(code)")
	if n, want := e.count("customers"), int64(2000+w.created-w.deleted); n != want {
		t.Errorf("customers has %d rows, the application expects %d", n, want)
	}
	if n, want := e.count("notes"), int64(2000+w.created-w.deleted); n != want {
		t.Errorf("notes has %d rows, want %d (each deleted customer's note deleted by the cascade)", n, want)
	}
	if n := e.scalar("SELECT COUNT(*) FROM notes n LEFT JOIN customers c ON c.id = n.customer_id WHERE c.id IS NULL"); n != 0 {
		t.Errorf("%d notes have no customer", n)
	}
	if n := e.count("orders"); n != int64(len(w.orders)) {
		t.Errorf("orders has %d rows, the application expects %d", n, len(w.orders))
	}
	if n := e.scalar("SELECT COUNT(*) FROM orders o LEFT JOIN customers c ON c.id = o.customer_id WHERE c.id IS NULL"); n != 0 {
		t.Errorf("%d orders have no customer", n)
	}
	e.exec("INSERT INTO customers (id, name) VALUES (-5, 'after')", "INSERT INTO orders (id, customer_id, amount) VALUES (-5, -5, 1)",
		"INSERT INTO notes VALUES (-5, -5)", "DELETE FROM orders WHERE id = -5", "DELETE FROM customers WHERE id = -5")
	if n := e.scalar("SELECT COUNT(*) FROM notes WHERE id = -5"); n != 0 {
		t.Error("deleting a customer of the new table did not cascade to its notes")
	}
	var me *driver.MySQLError
	if _, err := e.admin.Exec("DELETE FROM customers WHERE id = 1"); !errors.As(err, &me) || me.Number != 1451 {
		t.Errorf("deleting a customer with orders from the new table: %v, want error 1451", err)
	}
	if n := e.scalar("SELECT COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND REFERENCED_TABLE_NAME LIKE '\\_%'"); n != 0 {
		t.Errorf("%d keys reference an old table or a shadow", n)
	}
	t.Logf("application: %d customers created, %d deleted with their orders, 0 errors", w.created, w.deleted)
}

// TestMySQLForeignKeysCutOverWaitsForParentWriters: a transaction that
// wrote a parent and stays open keeps the cut-over from read-locking the
// parents, so attempts fail until it ends, each leaving the shadow without
// keys (a key left there would refuse the application's deletes of
// customers whose orders the shadow, behind, still holds); then the
// cut-over succeeds and no write failed.
func TestMySQLForeignKeysCutOverWaitsForParentWriters(t *testing.T) {
	e := newEnv(t)
	e.exec(fkSchema...)
	w := newFKWriter(e)
	blocker, err := e.admin.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := blocker.Exec("UPDATE customers SET name = 'held' WHERE id = 1"); err != nil {
		t.Fatal(err)
	}
	const hold = 3 * time.Second
	go func() { time.Sleep(hold); blocker.Commit() }()
	start := time.Now()
	underWriters(3, w.run, func() {
		cfg := e.config("orders", "ADD COLUMN note VARCHAR(20) NULL")
		cfg.CutOverLockTimeout = 500 * time.Millisecond
		cfg.DefaultRetries = 100
		if out, err := e.run(cfg); err != nil {
			t.Fatalf("migration failed: %v\n%s", err, out)
		}
	})
	if took := time.Since(start); took < hold {
		t.Errorf("the migration ended after %s, before the parent's writer (held %s): the cut-over did not lock the parent", took, hold)
	}
	if len(w.errs) > 0 {
		t.Fatalf("the application saw %d errors (first: %v)", len(w.errs), w.errs[0])
	}
	requireMySQLKeys(t, e, "orders.orders_customer(customer_id)->customers(id),orders.orders_ibfk_1(region)->regions(code)")
	t.Logf("application: %d customers deleted with their orders, 0 errors", w.deleted)
}

// TestMySQLSetCarriesForeignKeys switches orders and invoices, children of
// customers both, in one RENAME: each keeps its key under its own name, and
// the application's deletes of customers never fail.
func TestMySQLSetCarriesForeignKeys(t *testing.T) {
	e := newEnv(t)
	e.exec(fkSchema...)
	e.exec(`CREATE TABLE invoices (id INT PRIMARY KEY, customer_id INT NOT NULL,
		CONSTRAINT invoice_customer FOREIGN KEY (customer_id) REFERENCES customers (id)) ENGINE=InnoDB`,
		"INSERT INTO invoices SELECT seq, seq FROM seq_1_to_1000")
	w := newFKWriter(e)
	underWriters(2, w.run, func() {
		_, done, out := startSet(t, e.config("", ""), []engine.TableAlter{
			{Table: "orders", Clauses: "ADD COLUMN note VARCHAR(20) NULL"},
			{Table: "invoices", Clauses: "ADD COLUMN paid BOOL NOT NULL DEFAULT FALSE"},
		})
		if err := <-done; err != nil {
			t.Fatalf("set failed: %v\n%s", err, out.String())
		}
	})
	if len(w.errs) > 0 {
		t.Fatalf("the application saw %d errors (first: %v)", len(w.errs), w.errs[0])
	}
	requireMySQLKeys(t, e, "invoices.invoice_customer(customer_id)->customers(id),orders.orders_customer(customer_id)->customers(id),orders.orders_ibfk_1(region)->regions(code)")
	if _, err := e.admin.Exec("INSERT INTO invoices (id, customer_id) VALUES (-1, 99999999)"); err == nil {
		t.Error("an invoice for no customer was accepted")
	}
}

// TestMySQLCleanupRestoresForeignKeys: a crash in a cut-over, after the
// checkpoint was dropped, can leave another table's key re-pointed at the
// shadow; cleanup shows it, and with --execute makes it reference the
// table again under its name before it drops the shadow.
func TestMySQLCleanupRestoresForeignKeys(t *testing.T) {
	e := newEnv(t)
	e.exec("CREATE TABLE t (id INT PRIMARY KEY)", "CREATE TABLE _t_new (id INT PRIMARY KEY)",
		"CREATE TABLE c (id INT PRIMARY KEY, t_id INT NOT NULL, KEY (t_id))",
		"ALTER TABLE c ADD CONSTRAINT c_t__hotswap FOREIGN KEY (t_id) REFERENCES _t_new (id)")
	for _, execute := range []bool{false, true} {
		cfg := e.config("t", "")
		cfg.Execute = execute
		out := &syncBuffer{}
		cfg.Out = out
		if err := migration.Cleanup(context.Background(), cfg); err != nil {
			t.Fatalf("cleanup (execute %v): %v\n%s", execute, err, out.String())
		}
		if !strings.Contains(out.String(), "c_t__hotswap of "+e.db+".c (referencing _t_new)") {
			t.Errorf("cleanup (execute %v) does not show the re-pointed key:\n%s", execute, out.String())
		}
	}
	requireMySQLKeys(t, e, "c.c_t(t_id)->t(id)")
	if got := e.tables(); got != "c,t" {
		t.Errorf("tables after cleanup --execute: %s, want c,t", got)
	}
}

// cascadeItems: items references orders ON DELETE CASCADE and promos ON
// DELETE SET NULL; the server writes neither cascade to the binary log.
var cascadeSchema = []string{
	"CREATE TABLE orders (id INT PRIMARY KEY) ENGINE=InnoDB",
	"CREATE TABLE promos (id INT PRIMARY KEY) ENGINE=InnoDB",
	"INSERT INTO orders SELECT seq FROM seq_1_to_5000",
	"INSERT INTO promos SELECT seq FROM seq_1_to_200",
	`CREATE TABLE items (id INT PRIMARY KEY, order_id INT NOT NULL, promo_id INT NULL, qty INT NOT NULL,
		CONSTRAINT item_order FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE,
		FOREIGN KEY (promo_id) REFERENCES promos (id) ON DELETE SET NULL) ENGINE=InnoDB`,
	"INSERT INTO items SELECT seq, seq % 5000 + 1, IF(seq % 2 = 0, seq % 200 + 1, NULL), 1 FROM seq_1_to_20000",
}

// cascadeWriter is the application: it adds orders with items, deletes
// orders (their items go with them, by the cascade), deletes promos (their
// items keep going, without one) and updates items, keeping what it
// expects items to hold.
type cascadeWriter struct {
	e     *env
	mu    sync.Mutex
	items map[int][3]int // id -> order, promo (0: none), qty
	errs  []error
	cut   int // orders deleted (their items cascaded)
	nulls int // promos deleted (their items set to none)
}

func newCascadeWriter(e *env) *cascadeWriter {
	w := &cascadeWriter{e: e, items: map[int][3]int{}}
	for id := 1; id <= 20000; id++ {
		promo := 0
		if id%2 == 0 {
			promo = id%200 + 1
		}
		w.items[id] = [3]int{id%5000 + 1, promo, 1}
	}
	return w
}

func (w *cascadeWriter) run(ctx context.Context, worker, n int) {
	nextOrder, nextPromo := worker+1, 101+worker // the initial orders and the promos above 100 are deleted, each by one worker
	var mine []int                               // items this worker added
	for i := 0; ctx.Err() == nil; i++ {
		var err error
		switch {
		case i%4 == 0:
			o, a, b := 100000+i*n+worker, 1_000_000+2*(i*n+worker), 1_000_001+2*(i*n+worker)
			promo := rand.IntN(100) + 1
			err = w.tx(func(tx *sql.Tx) error {
				return execAll(tx, fmt.Sprintf("INSERT INTO orders VALUES (%d)", o),
					fmt.Sprintf("INSERT INTO items (id, order_id, promo_id, qty) VALUES (%d, %d, %d, 1), (%d, %d, NULL, 1)", a, o, promo, b, o))
			}, func() { w.items[a], w.items[b] = [3]int{o, promo, 1}, [3]int{o, 0, 1}; mine = append(mine, a, b) })
		case i%4 == 1 && nextOrder <= 5000:
			o := nextOrder
			nextOrder += n
			err = w.tx(func(tx *sql.Tx) error { return execAll(tx, fmt.Sprintf("DELETE FROM orders WHERE id = %d", o)) }, func() {
				for id, it := range w.items {
					if it[0] == o {
						delete(w.items, id)
					}
				}
				w.cut++
			})
		case i%4 == 2 && len(mine) > 0:
			id := mine[rand.IntN(len(mine))]
			err = w.tx(func(tx *sql.Tx) error {
				return execAll(tx, fmt.Sprintf("UPDATE items SET qty = qty + 1 WHERE id = %d", id))
			},
				func() { it := w.items[id]; it[2]++; w.items[id] = it })
		case i%4 == 3 && nextPromo <= 200 && i%12 == 3:
			p := nextPromo
			nextPromo += n
			err = w.tx(func(tx *sql.Tx) error { return execAll(tx, fmt.Sprintf("DELETE FROM promos WHERE id = %d", p)) }, func() {
				for id, it := range w.items {
					if it[1] == p {
						it[1] = 0
						w.items[id] = it
					}
				}
				w.nulls++
			})
		}
		if err != nil {
			w.mu.Lock()
			w.errs = append(w.errs, err)
			w.mu.Unlock()
		}
		time.Sleep(time.Millisecond)
	}
}

func (w *cascadeWriter) tx(body func(*sql.Tx) error, model func()) error {
	return commitThen(w.e.admin, &w.mu, body, model)
}

// TestMySQLCascadingForeignKeysFollowTheTable migrates items while the
// application deletes orders and promos, whose deletes cascade into items
// (deleted, set to NULL) without the server writing that to the binary
// log: the stream follows the parents and resyncs the rows each cascade
// may have reached, so every item is what the application expects, and
// both keys hold on the new table, named as before, with their actions.
func TestMySQLCascadingForeignKeysFollowTheTable(t *testing.T) {
	e := newEnv(t)
	e.exec(cascadeSchema...)
	w := newCascadeWriter(e)
	underWriters(3, w.run, func() {
		cfg := e.config("items", "ADD COLUMN note VARCHAR(20) NULL")
		cfg.ChunkSize = 500
		out, err := e.run(cfg)
		t.Logf("%s", out)
		if err != nil {
			t.Fatalf("migration failed: %v", err)
		}
	})
	if len(w.errs) > 0 {
		t.Fatalf("the application saw %d errors (first: %v)", len(w.errs), w.errs[0])
	}
	got := map[int][3]int{}
	rows, err := e.admin.Query("SELECT id, order_id, COALESCE(promo_id, 0), qty FROM items")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int
		var it [3]int
		rows.Scan(&id, &it[0], &it[1], &it[2])
		got[id] = it
	}
	rows.Close()
	if len(got) != len(w.items) {
		t.Errorf("items has %d rows, the application expects %d", len(got), len(w.items))
	}
	for id, it := range w.items {
		if got[id] != it {
			t.Fatalf("item %d: %v, the application expects %v (order, promo, qty)", id, got[id], it)
		}
	}
	if w.cut == 0 || w.nulls == 0 {
		t.Fatalf("the application deleted %d orders and %d promos during the run: the test proves nothing", w.cut, w.nulls)
	}
	requireMySQLKeys(t, e, "items.items_ibfk_1(promo_id)->promos(id),items.item_order(order_id)->orders(id)")
	if n := e.scalar("SELECT COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = 'items' AND DELETE_RULE IN ('CASCADE', 'SET NULL')"); n != 2 {
		t.Errorf("%d keys of the new items keep their ON DELETE action, want 2", n)
	}
	e.exec("INSERT INTO orders VALUES (-1)", "INSERT INTO items (id, order_id, qty) VALUES (-1, -1, 1)", "DELETE FROM orders WHERE id = -1")
	if n := e.scalar("SELECT COUNT(*) FROM items WHERE id = -1"); n != 0 {
		t.Error("deleting an order did not cascade to the new items")
	}
	t.Logf("application: %d items, %d orders and %d promos deleted during the run, 0 errors", len(w.items), w.cut, w.nulls)
}
