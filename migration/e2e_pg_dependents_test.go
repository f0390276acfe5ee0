package migration_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hotswap/hotswap/engine"
	"github.com/hotswap/hotswap/migration"
	"github.com/jackc/pgx/v5/pgconn"
)

// The dependents tests' schema: customers <- orders <- items (ON DELETE
// CASCADE both) and orders <- refunds (ON DELETE SET NULL), a trigger on
// orders writing an audit row per insert and update, a view joining orders
// and customers and a view on that view, a publication of some of orders'
// rows and columns. orders is a child and a parent at once.
var depsSchema = []string{
	"CREATE TABLE customers (id int PRIMARY KEY, code text UNIQUE, name text)",
	"CREATE TABLE orders (id int PRIMARY KEY, customer_id int NOT NULL REFERENCES customers (id) ON DELETE CASCADE, v int NOT NULL)",
	"CREATE TABLE items (id int PRIMARY KEY, order_id int NOT NULL REFERENCES orders (id) ON DELETE CASCADE, qty int NOT NULL)",
	"CREATE TABLE refunds (id int PRIMARY KEY, order_id int REFERENCES orders (id) ON DELETE SET NULL)",
	"CREATE TABLE audit (n bigserial PRIMARY KEY, order_id int NOT NULL, op text NOT NULL)",
	fmt.Sprintf("INSERT INTO customers SELECT seq, 'c' || seq, 'n' FROM generate_series(1, %d) AS seq", depsCustomers),
	fmt.Sprintf("INSERT INTO orders SELECT seq, seq %% %d + 1, seq FROM generate_series(1, %d) AS seq", depsCustomers, depsFill),
	fmt.Sprintf("INSERT INTO items SELECT seq, seq, 1 FROM generate_series(1, %d) AS seq", depsFill),
	fmt.Sprintf("INSERT INTO refunds SELECT seq, seq FROM generate_series(1, %d, 3) AS seq", depsFill),
	`CREATE FUNCTION orders_audit() RETURNS trigger LANGUAGE plpgsql AS $$
	BEGIN INSERT INTO audit (order_id, op) VALUES (NEW.id, TG_OP); RETURN NEW; END $$`,
	"CREATE TRIGGER orders_audit AFTER INSERT OR UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION orders_audit()",
	"CREATE VIEW order_customers AS SELECT o.id, o.customer_id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id",
	"CREATE VIEW order_count AS SELECT count(*) AS n FROM order_customers",
	"CREATE PUBLICATION app_pub FOR TABLE orders (id, v) WHERE (id > 0)", // a filter of UPDATEs may name only key columns
}

// orderCustomersQuery is what the view order_customers answers, written
// against the tables.
const orderCustomersQuery = "SELECT o.id, o.customer_id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id"

const (
	depsCustomers = 200 // customers above depsKept are deleted by the writers, one at a time
	depsKept      = 100
	depsFill      = 20000
)

// depsWriter is the application: it inserts an order and its item in one
// transaction (for a kept customer), updates orders, and deletes customers
// (their orders, items cascading; refunds set to NULL). It keeps what it
// expects orders to hold, and counts the audited writes.
type depsWriter struct {
	e       *pgEnv
	mu      sync.Mutex
	orders  map[int][2]int // id -> customer, v
	audited int
	errs    []error
	nextCus int
}

func newDepsWriter(e *pgEnv) *depsWriter {
	w := &depsWriter{e: e, orders: map[int][2]int{}, nextCus: depsKept + 1}
	for id := 1; id <= depsFill; id++ {
		w.orders[id] = [2]int{id%depsCustomers + 1, id}
	}
	return w
}

func (w *depsWriter) run(ctx context.Context, worker, n int) {
	next := depsFill + 1 + worker
	for i := 0; ctx.Err() == nil; i++ {
		var err error
		switch {
		case i%10 == 9 && worker == 0:
			err = w.deleteCustomer()
		case i%3 == 2:
			err = w.update(rand.IntN(next) + 1)
		default:
			err = w.insert(next)
			next += n
		}
		if err != nil {
			w.mu.Lock()
			w.errs = append(w.errs, err)
			w.mu.Unlock()
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func (w *depsWriter) insert(id int) error {
	cus, v := id%depsKept+1, id
	tx, err := w.e.app.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.Exec("INSERT INTO orders (id, customer_id, v) VALUES ($1, $2, $3)", id, cus, v); err != nil {
		return err
	}
	if _, err := tx.Exec("INSERT INTO items (id, order_id, qty) VALUES ($1, $1, 2)", id); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	w.mu.Lock()
	w.orders[id] = [2]int{cus, v}
	w.audited++
	w.mu.Unlock()
	return nil
}

func (w *depsWriter) update(id int) error {
	res, err := w.e.app.Exec("UPDATE orders SET v = v + 1 WHERE id = $1", id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 1 {
		w.mu.Lock()
		o := w.orders[id]
		w.orders[id] = [2]int{o[0], o[1] + 1}
		w.audited++
		w.mu.Unlock()
	}
	return nil
}

func (w *depsWriter) deleteCustomer() error {
	if w.nextCus > depsCustomers {
		return nil
	}
	cus := w.nextCus
	if _, err := w.e.app.Exec("DELETE FROM customers WHERE id = $1", cus); err != nil {
		return err
	}
	w.nextCus++
	w.mu.Lock()
	for id, o := range w.orders {
		if o[0] == cus {
			delete(w.orders, id)
		}
	}
	w.mu.Unlock()
	return nil
}

// check compares orders with what the application was told, and the audit
// with the acknowledged writes.
func (w *depsWriter) check(t *testing.T) {
	t.Helper()
	if len(w.errs) > 0 {
		t.Fatalf("the application saw %d errors (first: %v)", len(w.errs), w.errs[0])
	}
	got := map[int][2]int{}
	rows, err := w.e.admin.Query("SELECT id, customer_id, v FROM orders")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, c, v int
		rows.Scan(&id, &c, &v)
		got[id] = [2]int{c, v}
	}
	rows.Close()
	if len(got) != len(w.orders) {
		t.Errorf("orders has %d rows, the application expects %d", len(got), len(w.orders))
	}
	for id, o := range w.orders {
		if got[id] != o {
			t.Fatalf("order %d: %v, the application expects %v", id, got[id], o)
		}
	}
	if n := w.e.scalar("SELECT count(*) FROM audit"); n != int64(w.audited) {
		t.Errorf("audit has %d rows, the application made %d audited writes (the trigger fired for hotswap's writes, or missed some)", n, w.audited)
	}
	t.Logf("application: %d orders, %d audited writes, %d customers deleted, 0 errors", len(w.orders), w.audited, w.nextCus-depsKept-1)
}

// underWriters runs n writers (run(ctx, worker, n)) from 300 ms before body
// to 300 ms after it, and stops them when it ends, however it ends.
func underWriters(n int, run func(ctx context.Context, worker, n int), body func()) {
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { run(ctx, i, n) })
	}
	defer func() { stop(); wg.Wait() }()
	time.Sleep(300 * time.Millisecond)
	body()
	time.Sleep(300 * time.Millisecond) // writes after the swap
}

// requireConstraintsHold: every foreign key of the schema is validated and
// references the live tables, none is left on an old table, no row is an
// orphan, and a bad insert fails.
func requireConstraintsHold(t *testing.T, e *pgEnv) {
	t.Helper()
	want := map[string]string{"orders_customer_id_fkey": "orders->customers", "items_order_id_fkey": "items->orders", "refunds_order_id_fkey": "refunds->orders"}
	rows, err := e.admin.Query(`SELECT conname, conrelid::regclass::text || '->' || confrelid::regclass::text, convalidated
		FROM pg_constraint WHERE contype = 'f' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for rows.Next() {
		var name, rel string
		var valid bool
		rows.Scan(&name, &rel, &valid)
		got[name] = rel
		if !valid {
			t.Errorf("foreign key %s (%s) is not validated", name, rel)
		}
	}
	rows.Close()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("foreign keys: %v, want %v", got, want)
	}
	for _, q := range []string{
		"SELECT count(*) FROM orders o WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.id = o.customer_id)",
		"SELECT count(*) FROM items i WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = i.order_id)",
		"SELECT count(*) FROM refunds r WHERE r.order_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = r.order_id)",
	} {
		if n := e.scalar(q); n != 0 {
			t.Errorf("%d orphans: %s", n, q)
		}
	}
	for _, bad := range []string{
		"INSERT INTO orders (id, customer_id, v) VALUES (-1, -1, 0)",
		"INSERT INTO items (id, order_id, qty) VALUES (-1, -1, 0)",
	} {
		_, err := e.app.Exec(bad)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "23503" {
			t.Errorf("%s: %v, want a foreign key violation", bad, err)
		}
	}
}

// TestPostgresForeignKeysAndTriggersFollowTheTable migrates orders (child
// of customers, parent of items and refunds, with an audit trigger) under
// writers that insert, update and delete customers (cascading into orders
// and items, setting refunds to NULL), then customers: the constraints
// follow each new table, are enforced and validated, no row is orphaned,
// orders holds exactly what the application wrote, and the audit trigger
// fired once per application write and never for hotswap's.
func TestPostgresForeignKeysAndTriggersFollowTheTable(t *testing.T) {
	e := newPGEnv(t)
	e.exec(depsSchema...)
	w := newDepsWriter(e)
	underWriters(3, w.run, func() {
		for _, step := range []struct{ table, alter string }{
			{"orders", "ADD COLUMN note text, ALTER COLUMN v TYPE bigint"},
			{"customers", "ADD COLUMN tier int NOT NULL DEFAULT 0"},
		} {
			cfg := e.config(step.table, step.alter)
			cfg.ChunkSize = 200
			out, err := e.run(cfg)
			t.Logf("%s:\n%s", step.table, out)
			if err != nil {
				t.Fatalf("migration of %s failed: %v", step.table, err)
			}
			if !strings.Contains(out, "Validated foreign key") {
				t.Errorf("%s: no foreign key validated after the swap", step.table)
			}
			time.Sleep(300 * time.Millisecond) // writes between the two runs
		}
	})
	w.check(t)
	requireConstraintsHold(t, e)
	if n := e.scalar(`SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgrelid = 'orders'::regclass AND tgenabled = 'O'`); n != 1 {
		t.Errorf("orders has %d enabled user triggers, want its audit trigger", n)
	}
	if n := e.scalar(`SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relname LIKE '\_%\_old'`); n != 0 {
		t.Errorf("the old tables kept %d triggers (internal ones included)", n)
	}
	requireViewAnswers(t, e)
	if n := e.scalar(`SELECT count(*) FROM pg_depend d JOIN pg_class c ON c.oid = d.refobjid WHERE d.classid = 'pg_rewrite'::regclass AND c.relname LIKE '\_%\_old'`); n != 0 {
		t.Errorf("%d view dependencies still on an old table", n)
	}
	requirePublishedOrders(t, e)
	e.requireNoSlotsOrPublications()
}

// requireViewAnswers: the views answer what their queries answer on the
// live tables, and the view on the view counts them.
func requireViewAnswers(t *testing.T, e *pgEnv) {
	t.Helper()
	diff := e.scalar("SELECT count(*) FROM ((SELECT * FROM order_customers EXCEPT ALL " + orderCustomersQuery + ") UNION ALL (" +
		orderCustomersQuery + " EXCEPT ALL SELECT * FROM order_customers)) d")
	if diff != 0 {
		t.Errorf("view order_customers differs from its query on the live tables in %d rows", diff)
	}
	if n, want := e.scalar("SELECT n FROM order_count"), e.scalar("SELECT count(*) FROM ("+orderCustomersQuery+") q"); n != want {
		t.Errorf("view order_count says %d, the tables %d", n, want)
	}
}

// requirePublishedOrders: the publication names the live orders, with its
// row filter and column list, and no old table.
func requirePublishedOrders(t *testing.T, e *pgEnv) {
	t.Helper()
	var got string
	err := e.admin.QueryRow(`SELECT string_agg(tablename || ' (' || array_to_string(attnames, ', ') || ') ' || coalesce(rowfilter, ''), '; ')
		FROM pg_publication_tables WHERE pubname = 'app_pub'`).Scan(&got)
	if want := "orders (id, v) (id > 0)"; err != nil || got != want {
		t.Errorf("publication app_pub publishes %q (%v), want %q", got, err, want)
	}
}

// TestPostgresDependentsPlanAndRefusals: a dry run lists every foreign key
// and trigger and what the cut-over does to it; what cannot be carried is
// refused before anything changes, naming the object.
func TestPostgresDependentsPlanAndRefusals(t *testing.T) {
	e := newPGEnv(t)
	e.exec(depsSchema...)
	dry := e.config("orders", "ADD COLUMN note text")
	dry.Execute = false
	out, err := e.run(dry)
	if err != nil {
		t.Fatalf("dry run: %v\n%s", err, out)
	}
	for _, want := range []string{
		"foreign key orders_customer_id_fkey on public.orders (FOREIGN KEY (customer_id) REFERENCES public.customers(id) ON DELETE CASCADE): moved to the new table",
		"foreign key items_order_id_fkey on public.items (FOREIGN KEY (order_id) REFERENCES public.orders(id) ON DELETE CASCADE): re-pointed at the new table",
		"foreign key refunds_order_id_fkey on public.refunds",
		"trigger orders_audit on public.orders: moved to the new table",
		"view public.order_customers: re-created on the new table",
		"publication app_pub: publishes the new table from the cut-over on",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the dry run does not say %q:\n%s", want, out)
		}
	}
	e.exec("CREATE TABLE vouchers (code text REFERENCES customers (code))",
		`CREATE FUNCTION customers_touch() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN NEW.name := upper(NEW.name); RETURN NEW; END $$`,
		"CREATE TRIGGER customers_touch BEFORE UPDATE ON customers FOR EACH ROW EXECUTE FUNCTION customers_touch()")
	for _, c := range []struct{ table, alter, want string }{
		{"customers", "DROP COLUMN name", "trigger customers_touch on public.customers runs function customers_touch, whose source names column name"},
		{"customers", "DROP CONSTRAINT customers_code_key", "foreign key vouchers_code_fkey of public.vouchers references (code)"},
		{"orders", "ADD CONSTRAINT orders_v_fkey FOREIGN KEY (v) REFERENCES customers (id)", "the ALTER adds foreign key orders_v_fkey"},
		{"orders", "ALTER COLUMN customer_id TYPE bigint", "view public.order_customers would change its columns on the new table ((id integer, customer_id bigint, name text) instead of (id integer, customer_id integer, name text))"},
		{"orders", "DROP COLUMN customer_id", "view public.order_customers reads public.orders and would not hold on the new table"},
		{"orders", "DROP COLUMN v", "publication app_pub publishes public.orders, and the new table cannot take its place there"},
	} {
		before := e.scalar("SELECT count(*) FROM pg_class")
		_, err := e.run(e.config(c.table, c.alter))
		if !migration.IsRefused(err) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %s: %v, want refused: %s", c.table, c.alter, err, c.want)
		}
		if after := e.scalar("SELECT count(*) FROM pg_class"); after != before {
			t.Errorf("%s %s: the refusal left %d relations behind", c.table, c.alter, after-before)
		}
	}
	// a partitioned table's key cannot be re-added NOT VALID (PostgreSQL 15)
	e.exec("CREATE TABLE visits (id int, customer_id int REFERENCES customers (id), at date) PARTITION BY RANGE (at)")
	_, err = e.run(e.config("customers", "ADD COLUMN tier int"))
	if want := "foreign key visits_customer_id_fkey of the partitioned table public.visits references public.customers"; !migration.IsRefused(err) || !strings.Contains(err.Error(), want) {
		t.Errorf("a partitioned table referencing customers: %v, want refused: %s", err, want)
	}
	e.exec("DROP TABLE visits")
	// added NOT VALID, it is carried and left not validated, as the ALTER says
	out, err = e.run(e.config("orders", "ADD CONSTRAINT orders_v_fkey FOREIGN KEY (v) REFERENCES customers (id) NOT VALID"))
	if err != nil {
		t.Fatalf("ADD ... NOT VALID: %v\n%s", err, out)
	}
	if n := e.scalar("SELECT count(*) FROM pg_constraint WHERE conname = 'orders_v_fkey' AND conrelid = 'orders'::regclass AND NOT convalidated"); n != 1 {
		t.Errorf("orders_v_fkey: want it on the new orders, NOT VALID")
	}
}

// TestPostgresCutOverWaitsForRelatedTables: a transaction holding a table
// that only a foreign key relates to the migrated one (items, whose key
// references orders) delays the cut-over: nothing switches while it is
// open, and once it commits, the swap completes with its write kept.
func TestPostgresCutOverWaitsForRelatedTables(t *testing.T) {
	e := newPGEnv(t)
	e.exec(depsSchema...)
	cfg := e.config("orders", "ADD COLUMN note text")
	cfg.CutOverLockTimeout = time.Second
	cfg.SkipChecksum = true
	cfg.PostponeFlagFile = flagFile(t)
	run := e.start(cfg)
	run.waitState(t, migration.StatePostponed)
	blocker, err := e.app.BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer blocker.Rollback()
	if _, err := blocker.Exec("UPDATE items SET qty = 7 WHERE id = 1"); err != nil {
		t.Fatal(err)
	}
	os.Remove(cfg.PostponeFlagFile)
	run.waitState(t, migration.StateCuttingOver)
	time.Sleep(3 * time.Second) // several attempts fail meanwhile
	if run.m.State() == migration.StateDone || e.scalar("SELECT count(*) FROM pg_class WHERE relname = '_orders_old'") != 0 {
		t.Fatal("the cut-over switched orders while a transaction held items, whose foreign key it re-points")
	}
	if err := blocker.Commit(); err != nil {
		t.Fatal(err)
	}
	run.wait(t)
	if n := e.scalar("SELECT count(*) FROM items WHERE id = 1 AND qty = 7"); n != 1 {
		t.Error("the blocker's committed update is lost")
	}
	requireConstraintsHold(t, e)
}

// TestPostgresSetCarriesForeignKeysBetweenItsTables switches orders and
// items (whose key references orders) together under the writers: the key
// between them is carried once, by items, and ends up between the new
// tables; every other key, trigger and view follows its table as in a run
// of one table.
func TestPostgresSetCarriesForeignKeysBetweenItsTables(t *testing.T) {
	e := newPGEnv(t)
	e.exec(depsSchema...)
	w := newDepsWriter(e)
	underWriters(3, w.run, func() {
		cfg := e.config("", "")
		cfg.ChunkSize = 500
		_, done, out := startSet(t, cfg, []engine.TableAlter{
			{Table: "orders", Clauses: "ADD COLUMN note text"},
			{Table: "items", Clauses: "ADD COLUMN note text"},
		})
		if err := <-done; err != nil {
			t.Fatalf("set failed: %v\n%s", err, out.String())
		}
		t.Logf("%s", out.String())
	})
	w.check(t)
	requireConstraintsHold(t, e)
	requireViewAnswers(t, e)
	requirePublishedOrders(t, e)
	// requireConstraintsHold found no foreign key on or to an old table
	if n := e.scalar(`SELECT count(*) FROM pg_depend d JOIN pg_class c ON c.oid = d.refobjid WHERE d.classid = 'pg_rewrite'::regclass AND c.relname LIKE '\_%\_old'`); n != 0 {
		t.Errorf("%d view dependencies still on an old table", n)
	}
	if n := e.scalar(`SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relname LIKE '\_%\_old'`); n != 0 {
		t.Errorf("the old tables kept %d triggers (internal ones included)", n)
	}
	e.requireNoSlotsOrPublications()
}

// TestPostgresPoliciesAndRulesFollowTheTable: orders has row level
// security, two policies (one restrictive, one for SELECT only) and a rule
// logging each insert; migrated under the application's writes, the new
// table has the same flags and policies (definitions compared), a role the
// policies apply to sees exactly the rows they let it see, and the rule
// logged each of the application's inserts once (as many as the audit
// trigger), none of hotswap's. A policy naming a column the ALTER drops, and row
// level security that applies to hotswap itself (FORCE: the copy would see
// only some rows), are refused before anything changes.
func TestPostgresPoliciesAndRulesFollowTheTable(t *testing.T) {
	e := newPGEnv(t)
	e.exec(depsSchema...)
	reader := "reader_" + e.db
	e.exec("ALTER TABLE orders ENABLE ROW LEVEL SECURITY",
		"CREATE POLICY orders_even ON orders FOR SELECT TO PUBLIC USING (v % 2 = 0)",
		"CREATE POLICY orders_kept ON orders AS RESTRICTIVE USING (customer_id <= 50) WITH CHECK (customer_id <= 50)",
		"CREATE TABLE order_log (id int NOT NULL)",
		"CREATE RULE orders_log AS ON INSERT TO orders DO ALSO INSERT INTO order_log VALUES (new.id)")
	if _, err := e.admin.Exec("CREATE ROLE " + reader); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.admin.Exec("DROP OWNED BY " + reader); e.admin.Exec("DROP ROLE " + reader) })
	e.exec("GRANT SELECT ON orders TO " + reader)
	policies := func() string {
		var s string
		if err := e.admin.QueryRow(`SELECT coalesce(string_agg(concat_ws(' | ', policyname, permissive, roles::text, cmd, qual, with_check), E'\n' ORDER BY policyname), '')
			FROM pg_policies WHERE schemaname = 'public' AND tablename = 'orders'`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	before := policies()
	dry := e.config("orders", "ADD COLUMN note text")
	dry.Execute = false
	if out, err := e.run(dry); err != nil || !strings.Contains(out, "policy orders_kept on public.orders: created on the new table at the cut-over") ||
		!strings.Contains(out, "row level security (enabled) on public.orders: set on the new table") {
		t.Errorf("the dry run does not list the policies (%v):\n%s", err, out)
	}
	for _, c := range []struct{ setup, alter, want string }{
		{"", "DROP COLUMN v", "policy orders_even on public.orders cannot be created on the new table"},
		{"ALTER TABLE orders FORCE ROW LEVEL SECURITY", "ADD COLUMN note text", "row level security on public.orders applies to hotswap's role"},
	} {
		if c.setup != "" {
			e.exec(c.setup)
		}
		n := e.scalar("SELECT count(*) FROM pg_class")
		if _, err := e.run(e.config("orders", c.alter)); !migration.IsRefused(err) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want refused: %s", c.alter, err, c.want)
		}
		if after := e.scalar("SELECT count(*) FROM pg_class"); after != n {
			t.Errorf("%s: the refusal left %d relations behind", c.alter, after-n)
		}
	}
	e.exec("ALTER TABLE orders NO FORCE ROW LEVEL SECURITY")
	w := newDepsWriter(e)
	underWriters(3, w.run, func() {
		cfg := e.config("orders", "ADD COLUMN note text")
		cfg.ChunkSize = 200
		if out, err := e.run(cfg); err != nil {
			t.Fatalf("migration failed: %v\n%s", err, out)
		}
	})
	w.check(t)
	if after := policies(); after != before {
		t.Errorf("policies after the run:\n%s\nbefore:\n%s", after, before)
	}
	if logged, inserts := e.scalar("SELECT count(*) FROM order_log"), e.scalar("SELECT count(*) FROM audit WHERE op = 'INSERT'"); logged != inserts || inserts == 0 {
		t.Errorf("the rule logged %d inserts, the audit trigger %d: the rule missed some, or fired for hotswap's writes", logged, inserts)
	}
	if n := e.scalar("SELECT count(*) FROM pg_rules WHERE tablename = 'orders' AND rulename = 'orders_log'"); n != 1 {
		t.Error("the new orders has not the rule orders_log")
	}
	if n := e.scalar("SELECT count(*) FROM pg_class WHERE oid = 'orders'::regclass AND relrowsecurity AND NOT relforcerowsecurity"); n != 1 {
		t.Error("the new orders has not the old one's row level security (enabled, not forced)")
	}
	want := e.scalar("SELECT count(*) FROM orders WHERE v % 2 = 0 AND customer_id <= 50")
	var seen int64
	tx, err := e.admin.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec("SET LOCAL ROLE " + reader); err != nil {
		t.Fatal(err)
	}
	if err := tx.QueryRow("SELECT count(*) FROM orders").Scan(&seen); err != nil || seen != want || want == 0 {
		t.Errorf("a role the policies apply to sees %d orders (%v), the policies let it see %d", seen, err, want)
	}
}
