package testdb

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"testing"
	"time"
)

const replicaTimeout = 60 * time.Second

// StartReplica starts a second MariaDB (own datadir, port and server_id, with
// log_slave_updates) replicating from s by GTID from the start of s's binlog,
// so it receives everything tests did on s (account setup is kept out of the
// binlog). It returns once both replication threads run and the replica has
// caught up with s. The replica is stopped in t.Cleanup (or by Main).
func (s *MySQL) StartReplica(t testing.TB) *MySQL {
	t.Helper()
	if s.External {
		needsLocal(t, "StartReplica", mysqlDSNEnv)
	}
	start := time.Now()
	r, err := startLocalMySQL(localOptions{replica: true})
	if err != nil {
		unavailable(t, mariaDBName, mariaDBInstall, fmt.Errorf("replica: %w", err))
	}
	r.primary = s
	t.Cleanup(func() {
		if err := r.stop(); err != nil {
			t.Logf("testdb: %v", err)
		}
	})
	if err := r.exec(r.changeMasterStmts(s)...); err != nil {
		t.Fatalf("testdb: configure replica: %v", err)
	}
	if err := r.waitReplicaRunning(); err != nil {
		t.Fatalf("testdb: replica on port %d: %v\n--- %s ---\n%s", r.Port, err, r.LogPath, logTail(r.LogPath, 20))
	}
	r.CatchUp(t)
	t.Logf("testdb: MariaDB replica on port %d (server_id %d) of port %d ready in %s",
		r.Port, r.ServerID, s.Port, time.Since(start).Round(time.Millisecond))
	return r
}

func (r *MySQL) changeMasterStmts(primary *MySQL) []string {
	return []string{
		"SET GLOBAL gtid_slave_pos = ''",
		fmt.Sprintf("CHANGE MASTER TO MASTER_HOST='%s', MASTER_PORT=%d, MASTER_USER='%s', "+
			"MASTER_PASSWORD='%s', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1",
			primary.Host, primary.Port, primary.User, primary.Password),
		"START SLAVE",
	}
}

// waitReplicaRunning polls SHOW SLAVE STATUS until both threads run.
func (r *MySQL) waitReplicaRunning() error {
	deadline := time.Now().Add(replicaTimeout)
	for {
		st, err := r.replicaStatus()
		if err == nil && st["Slave_IO_Running"] == "Yes" && st["Slave_SQL_Running"] == "Yes" {
			return nil
		}
		if time.Now().After(deadline) {
			if err != nil {
				return err
			}
			return fmt.Errorf("replication not running after %s: IO=%s SQL=%s io_error=%q sql_error=%q",
				replicaTimeout, st["Slave_IO_Running"], st["Slave_SQL_Running"], st["Last_IO_Error"], st["Last_SQL_Error"])
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// replicaStatus returns SHOW SLAVE STATUS as column name -> value.
func (r *MySQL) replicaStatus() (map[string]string, error) {
	db, err := sql.Open("mysql", r.RootDSN(""))
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := db.Query("SHOW SLAVE STATUS")
	if err != nil {
		return nil, fmt.Errorf("SHOW SLAVE STATUS: %w", err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	if !rows.Next() {
		return nil, fmt.Errorf("SHOW SLAVE STATUS: no row (replication not configured): %v", rows.Err())
	}
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		return nil, err
	}
	st := make(map[string]string, len(cols))
	for i, c := range cols {
		st[c] = vals[i].String
	}
	return st, nil
}

// CatchUp waits until replica r has applied everything its primary has
// binlogged so far. Only for replicas from StartReplica; the SQL thread must
// be running.
func (r *MySQL) CatchUp(t testing.TB) {
	t.Helper()
	if r.primary == nil {
		t.Fatal("testdb: CatchUp called on a server that is not a StartReplica replica")
	}
	ctx, cancel := context.WithTimeout(context.Background(), replicaTimeout+5*time.Second)
	defer cancel()
	var pos string
	if err := queryRowMySQL(ctx, r.primary.RootDSN(""), "SELECT @@gtid_binlog_pos", &pos); err != nil {
		t.Fatalf("testdb: primary GTID position: %v", err)
	}
	var res int
	q := fmt.Sprintf("SELECT MASTER_GTID_WAIT('%s', %d)", pos, int(replicaTimeout.Seconds()))
	if err := queryRowMySQL(ctx, r.RootDSN(""), q, &res); err != nil {
		t.Fatalf("testdb: wait for replica: %v", err)
	}
	if res != 0 {
		st, _ := r.replicaStatus()
		t.Fatalf("testdb: replica did not reach GTID %s within %s (sql_error=%q)", pos, replicaTimeout, st["Last_SQL_Error"])
	}
}

func queryRowMySQL(ctx context.Context, dsn, query string, dest ...any) error {
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.QueryRowContext(ctx, query).Scan(dest...); err != nil {
		return fmt.Errorf("%s: %w", query, err)
	}
	return nil
}

// StartWithoutBinlog starts a second, private MariaDB with the binary log
// off, stopped at the end of the test: for the preflight refusal of such
// servers. It needs the local MariaDB (an external server can't be changed).
func StartWithoutBinlog(t testing.TB) *MySQL {
	t.Helper()
	if os.Getenv(mysqlDSNEnv) != "" {
		t.Skip("testdb: a server without binlog needs the local MariaDB, not an external server")
	}
	s, err := startLocalMySQL(localOptions{noBinlog: true})
	if err != nil {
		unavailable(t, mariaDBName, mariaDBInstall, err)
	}
	t.Cleanup(func() {
		if err := s.stop(); err != nil {
			t.Logf("testdb: %v", err)
		}
	})
	return s
}
