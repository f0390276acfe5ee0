package mysql_test

import (
	"context"
	"testing"
	"time"

	"github.com/hotswap/hotswap/dialect/mysql"
	"github.com/hotswap/hotswap/internal/testdb"
)

// TestWithoutWaitingNeverWaitsButRetries: the lock is asked for with
// lock_wait_timeout 0 (never a waiter, so never a deadlock's survivor at an
// application statement's expense) and asked again until the holder lets
// go; one held past the total is reported busy.
func TestWithoutWaitingNeverWaitsButRetries(t *testing.T) {
	ctx := context.Background()
	srv := testdb.MySQLServer(t)
	name, admin := srv.NewDatabase(t)
	if _, err := admin.Exec("CREATE TABLE t (id INT PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	db, err := mysql.Open(ctx, mysql.Config{Host: srv.Host, Port: srv.Port, User: srv.User, Password: srv.Password, Database: name})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	holder, err := admin.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	c, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer mysql.Discard(c)
	lock := func() error { _, err := c.ExecContext(ctx, "LOCK TABLES t WRITE"); return err }

	if _, err := holder.ExecContext(ctx, "LOCK TABLES t WRITE"); err != nil {
		t.Fatal(err)
	}
	if err := mysql.WithoutWaiting(ctx, c, 200*time.Millisecond, lock); !mysql.IsLockBusy(err) {
		t.Fatalf("with t held past the total: %v, want a busy error", err)
	}
	var wait int
	if err := c.QueryRowContext(ctx, "SELECT @@SESSION.lock_wait_timeout").Scan(&wait); err != nil || wait != 0 {
		t.Fatalf("lock_wait_timeout = %d (%v): the requests could wait", wait, err)
	}
	go func() { time.Sleep(300 * time.Millisecond); holder.ExecContext(ctx, "UNLOCK TABLES") }()
	t0 := time.Now()
	if err := mysql.WithoutWaiting(ctx, c, 5*time.Second, lock); err != nil {
		t.Fatalf("with t released after 300 ms: %v", err)
	}
	if took := time.Since(t0); took < 250*time.Millisecond {
		t.Errorf("took the lock after %s, while it was held 300 ms", took)
	}
}
