package testdb

import (
	"database/sql"
	"fmt"
	"testing"
	"time"
)

// waitCount polls query on db until it returns want or timeout passes.
func waitCount(t *testing.T, db *sql.DB, query string, want int, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var got int
	for {
		err := db.QueryRow(query).Scan(&got)
		if err == nil && got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s = %d (err %v), want %d within %s", query, got, err, want, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestMySQLReplica(t *testing.T) {
	s := MySQLServer(t)
	r := s.StartReplica(t)
	if r.ServerID == s.ServerID || r.Port == s.Port {
		t.Fatalf("replica shares server_id/port with primary: %d/%d", r.ServerID, r.Port)
	}
	name, admin := s.NewDatabase(t)
	mustExec(t, admin, "CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(20))",
		"INSERT INTO items VALUES (1, 'one'), (2, 'two')")

	// Read as the hotswap user, which must exist on the replica too.
	replica := openMySQL(t, r.DSN(name))
	count := fmt.Sprintf("SELECT COUNT(*) FROM `%s`.items", name)
	waitCount(t, replica, count, 2, 30*time.Second)

	rootReplica := openMySQL(t, r.RootDSN(""))
	mustExec(t, rootReplica, "STOP SLAVE SQL_THREAD")
	if st, err := r.replicaStatus(); err != nil || st["Slave_SQL_Running"] != "No" {
		t.Fatalf("after STOP SLAVE SQL_THREAD: SQL running=%q err=%v", st["Slave_SQL_Running"], err)
	}
	mustExec(t, admin, "INSERT INTO items VALUES (3, 'three')")
	time.Sleep(300 * time.Millisecond)
	waitCount(t, replica, count, 2, 0) // not applied while the SQL thread is stopped

	mustExec(t, rootReplica, "START SLAVE SQL_THREAD")
	waitCount(t, replica, count, 3, 30*time.Second)
	r.CatchUp(t)
}
