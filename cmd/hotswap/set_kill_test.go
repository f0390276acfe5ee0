package main

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestSetKillNineDuringCopyThenResume alters three tables in one run
// (--statement) while transactions write all three, kills hotswap with
// SIGKILL in the middle of the copy, and resumes: every table continues
// from its checkpoint, all three switch at once, every acknowledged
// transaction is in every new table, none was split between old and new
// tables, and only the old tables are left. orders has an audit trigger
// and foreign keys (see setKillDependents): the resume plans them again,
// they follow their tables, and the trigger fired once per insert.
func TestSetKillNineDuringCopyThenResume(t *testing.T) {
	for _, newTarget := range []func(*testing.T) *target{mysqlTarget, postgresTarget} {
		tg := newTarget(t)
		t.Run(tg.engine, func(t *testing.T) { runSetKill(t, tg) })
	}
}

var killSetTables = []string{"orders", "items", "payments"}

const killSetFill = 20000

func runSetKill(t *testing.T, tg *target) {
	seq := map[string]string{"mysql": fmt.Sprintf("seq_1_to_%d", killSetFill), "postgres": fmt.Sprintf("generate_series(1, %d) AS seq", killSetFill)}[tg.engine]
	typ := map[string]string{"mysql": "VARCHAR(20)", "postgres": "varchar(20)"}[tg.engine]
	var stmts []string
	for _, tb := range killSetTables {
		for _, q := range []string{
			fmt.Sprintf("CREATE TABLE %s (id INT PRIMARY KEY, v INT NOT NULL, side INT NOT NULL DEFAULT 1)", tb),
			fmt.Sprintf("INSERT INTO %s (id, v) SELECT seq, seq FROM %s", tb, seq),
		} {
			if _, err := tg.db.Exec(q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		// side's new default says which table, old or new, a write went to
		stmts = append(stmts, fmt.Sprintf("ALTER TABLE %s ALTER COLUMN side SET DEFAULT 2, ADD COLUMN note %s", tb, typ))
	}
	for _, q := range setKillDependents[tg.engine] {
		if _, err := tg.db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	w := &setWriter{tg: tg, acked: map[int]int{}}
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Go(func() { w.run(ctx, i, 2) })
	}
	defer func() { stop(); wg.Wait() }()

	dir := t.TempDir()
	sock := filepath.Join(dir, "hs.sock")
	args := append([]string{"alter", "--statement", strings.Join(stmts, ";\n") + ";", "--execute", "--chunk-size", "200",
		"--checkpoint-interval", "200ms", "--cut-over-lock-timeout-seconds", "1", "--default-retries", "1000"}, tg.args...)
	first := startChild(t, tg.env, append(append([]string{}, args...), "--serve-socket-file", sock, "--nice-ratio", "3")...)
	if !first.waitFor(t, sock, "a third of the copy", func(st childStatus) bool { return st.State == "copying" && st.RowsCopied > killSetFill }) {
		t.Fatalf("the run ended before the kill:\n%s", first.out.String())
	}
	time.Sleep(500 * time.Millisecond) // a checkpoint of every table after a third
	first.kill()
	for _, tb := range killSetTables {
		var n int
		if err := tg.db.QueryRow("SELECT count(*) FROM " + tb).Scan(&n); err != nil {
			t.Fatalf("after the kill %s is not readable: %v", tb, err)
		}
	}
	t.Logf("first run, killed while copying:\n%s", first.out.String())
	// cleanup takes the set's tables at once and shows (not drops) each one's shadow
	cleanArgs := append([]string{"cleanup"}, tg.args...)
	for _, tb := range killSetTables {
		cleanArgs = append(cleanArgs, "--table", tb)
	}
	for _, kv := range tg.env {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	code, cleanOut, cleanErr := runCaptured(cleanArgs...)
	t.Logf("cleanup of the three tables, without --execute: exit %d\n%s%s", code, cleanOut, cleanErr)
	for _, tb := range killSetTables {
		if code != exitOK || !strings.Contains(cleanOut, "_"+tb+"_new") {
			t.Errorf("cleanup of the three tables did not show %s's shadow", tb)
		}
	}
	// items as if killed before its checkpoint table was made: the resume
	// starts it afresh (dropping its shadow) and continues the others
	if _, err := tg.db.Exec("DROP TABLE _items_chk"); err != nil {
		t.Fatal(err)
	}
	resumed := startChild(t, tg.env, append(args, "--resume")...)
	if code := resumed.wait(t, 4*time.Minute); code != 0 {
		t.Fatalf("the resume exited %d:\n%s", code, resumed.out.String())
	}
	out := resumed.out.String()
	t.Logf("resume output:\n%s", out)
	resumes := 0
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "Resuming from the checkpoint") { // the printed lines, not the log's
			resumes++
		}
	}
	if resumes != len(killSetTables)-1 || !strings.Contains(out, "The earlier run on ") || !strings.Contains(out, "items stopped before its checkpoint: starting it over") {
		t.Errorf("want orders and payments continued from their checkpoints (%d did) and items started over", resumes)
	}
	time.Sleep(300 * time.Millisecond) // writes after the swap land in the new tables
	stop()
	wg.Wait()
	w.check(t)
	left := strings.Split(tg.leftovers(t), ",")
	slices.Sort(left)
	want := "_items_old,_orders_old,_payments_old,audit,items,orders,payments"
	if tg.engine == "mysql" {
		want = "_items_old,_orders_old,_payments_old,accounts,audit,items,orders,payments,receipts"
	}
	if got := strings.Join(left, ","); got != want {
		t.Errorf("left behind: %s (want only the three old tables)", got)
	}
	var audited int
	if err := tg.db.QueryRow("SELECT count(*) FROM audit").Scan(&audited); err != nil || audited != len(w.acked) {
		t.Errorf("the audit trigger fired %d times for %d acknowledged inserts (%v)", audited, len(w.acked), err)
	}
	if tg.engine == "mysql" {
		keys := queryList(t, tg.db, `SELECT CONCAT(TABLE_NAME, '.', CONSTRAINT_NAME, '->', REFERENCED_TABLE_NAME) FROM information_schema.REFERENTIAL_CONSTRAINTS
			WHERE CONSTRAINT_SCHEMA = DATABASE() ORDER BY 1`)
		if want := "payments.payments_account_fk->accounts,receipts.receipts_order_fk->orders"; keys != want {
			t.Errorf("foreign keys after the resume: %s, want %s (named as before, on the new tables, none on an old one)", keys, want)
		}
	}
	if tg.engine == "postgres" {
		var valid bool
		err := tg.db.QueryRow(`SELECT convalidated FROM pg_constraint WHERE conname = 'payments_order_fk'
			AND conrelid = 'payments'::regclass AND confrelid = 'orders'::regclass`).Scan(&valid)
		if err != nil || !valid {
			t.Errorf("payments' foreign key does not reference the new orders, validated (%v)", err)
		}
	}
}

// setKillDependents: an audit trigger on orders, counting inserts; on
// PostgreSQL a foreign key from payments to orders (the writers insert the
// order first); on MySQL, where keys between the tables of one run are not
// carried yet, a key from payments to accounts and one from receipts to
// orders (the tables' keys to and from tables outside the run).
var setKillDependents = map[string][]string{
	"mysql": {
		"CREATE TABLE audit (n BIGINT AUTO_INCREMENT PRIMARY KEY, id INT NOT NULL)",
		"CREATE DEFINER='hotswap'@'%' TRIGGER orders_audit AFTER INSERT ON orders FOR EACH ROW INSERT INTO audit (id) VALUES (NEW.id)",
		"CREATE TABLE accounts (id INT PRIMARY KEY)",
		"INSERT INTO accounts SELECT seq FROM seq_1_to_200000",
		"ALTER TABLE payments ADD CONSTRAINT payments_account_fk FOREIGN KEY (id) REFERENCES accounts (id)",
		"CREATE TABLE receipts (id INT PRIMARY KEY, order_id INT NOT NULL, CONSTRAINT receipts_order_fk FOREIGN KEY (order_id) REFERENCES orders (id))",
		"INSERT INTO receipts SELECT seq, seq FROM seq_1_to_100",
	},
	"postgres": {
		"CREATE TABLE audit (n bigserial PRIMARY KEY, id int NOT NULL)",
		"CREATE FUNCTION orders_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO audit (id) VALUES (NEW.id); RETURN NEW; END $$",
		"CREATE TRIGGER orders_audit AFTER INSERT ON orders FOR EACH ROW EXECUTE FUNCTION orders_audit()",
		"ALTER TABLE payments ADD CONSTRAINT payments_order_fk FOREIGN KEY (id) REFERENCES orders (id)",
	},
}

// setWriter writes every table of the set in each transaction: a new id
// into all (worker w of n takes ids w, w+n, ... above the fill), or an
// update of one of its ids in all, side set back to its default.
type setWriter struct {
	tg     *target
	mu     sync.Mutex
	acked  map[int]int // id -> v
	errs   []error
	commit int
}

func (s *setWriter) run(ctx context.Context, w, n int) {
	var mine []int
	next := killSetFill + 1 + w
	for i := 0; ctx.Err() == nil; i++ {
		id, insert := next, len(mine) == 0 || i%3 != 0
		if !insert {
			id = mine[i%len(mine)]
		}
		err := s.tx(id, i, insert)
		s.mu.Lock()
		if err != nil {
			s.errs = append(s.errs, err)
		} else {
			s.acked[id] = i
			s.commit++
		}
		s.mu.Unlock()
		if err == nil && insert {
			mine, next = append(mine, id), next+n
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func (s *setWriter) tx(id, v int, insert bool) error {
	ph := func(n int) string { return "?" }
	if s.tg.engine == "postgres" {
		ph = func(n int) string { return fmt.Sprintf("$%d", n) }
	}
	tx, err := s.tg.db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, tb := range killSetTables {
		q, args := fmt.Sprintf("UPDATE %s SET v = %s, side = DEFAULT WHERE id = %s", tb, ph(1), ph(2)), []any{v, id}
		if insert {
			q, args = fmt.Sprintf("INSERT INTO %s (id, v) VALUES (%s, %s)", tb, ph(1), ph(2)), []any{id, v}
		}
		if _, err := tx.Exec(q, args...); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return tx.Commit()
}

// check: no error, every acknowledged write in every new table (which has
// the new column), no transaction split between old and new tables.
func (s *setWriter) check(t *testing.T) {
	t.Helper()
	if len(s.errs) > 0 {
		t.Fatalf("the writers saw %d errors (first: %v): a table was not always there", len(s.errs), s.errs[0])
	}
	for _, tb := range killSetTables {
		got := map[int]int{}
		rows, err := s.tg.db.Query(fmt.Sprintf("SELECT id, v FROM %s WHERE id > %d AND note IS NULL", tb, killSetFill))
		if err != nil {
			t.Fatalf("%s after the run: %v", tb, err)
		}
		for rows.Next() {
			var id, v int
			rows.Scan(&id, &v)
			got[id] = v
		}
		rows.Close()
		for id, v := range s.acked {
			if g, ok := got[id]; !ok || g != v {
				t.Fatalf("%s: id %d acknowledged with v=%d, the table has %d (present %v)", tb, id, v, g, ok)
			}
		}
	}
	var split int
	q := fmt.Sprintf("SELECT count(*) FROM orders o JOIN items i ON i.id = o.id JOIN payments p ON p.id = o.id WHERE o.id > %d AND (o.side <> i.side OR o.side <> p.side)", killSetFill)
	if err := s.tg.db.QueryRow(q).Scan(&split); err != nil || split != 0 {
		t.Fatalf("%d transactions wrote old and new tables (%v)", split, err)
	}
	t.Logf("writers: %d transactions acknowledged, 0 errors", s.commit)
}
