package mysql_test

import (
	"context"
	"testing"

	"github.com/hotswap/hotswap/dialect/mysql"
	"github.com/hotswap/hotswap/internal/testdb"
)

// TestRunLockFreeWhenRunEnds: a second run is refused while the first holds
// the lock, and may start the moment the first closes its lock connection,
// even while the first's connection pool is still open. (Closing a *sql.Conn
// alone hands the session back to the pool with the lock still held.)
func TestRunLockFreeWhenRunEnds(t *testing.T) {
	ctx := context.Background()
	srv := testdb.MySQLServer(t)
	name, _ := srv.NewDatabase(t)
	db, err := mysql.Open(ctx, mysql.Config{Host: srv.Host, Port: srv.Port, User: srv.User, Password: srv.Password, Database: name})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	lock := mysql.RunLockName(name, "t")
	first, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	second, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	if got, err := mysql.GetLock(ctx, first, lock); err != nil || !got {
		t.Fatalf("first GetLock = %v, %v", got, err)
	}
	if got, err := mysql.GetLock(ctx, second, lock); err != nil || got {
		t.Fatalf("second GetLock while the first holds it = %v, %v; want false", got, err)
	}
	mysql.CloseLockConn(first, lock)
	if got, err := mysql.GetLock(ctx, second, lock); err != nil || !got {
		t.Fatalf("GetLock right after the first run closed = %v, %v; want true", got, err)
	}
}
