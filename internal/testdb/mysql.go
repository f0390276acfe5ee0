package testdb

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql" // registers the "mysql" database/sql driver
)

const (
	mariaDBName     = "MariaDB"
	mariaDBInstall  = "apt-get install -y mariadb-server"
	mysqlDSNEnv     = "HOTSWAP_TEST_MYSQL_DSN"
	mysqlDirPrefix  = "hsmy"
	mysqlUser       = "hotswap"
	mysqlPassword   = "hotswap-test-pw"
	mysqlRootPasswd = "root-test-pw"
)

// MySQLGrants are the privileges hotswap documents for its MySQL/MariaDB
// account; the test user gets exactly these. (On MariaDB 10.5+ REPLICATION
// CLIENT is an alias of BINLOG MONITOR.)
var MySQLGrants = []string{
	"GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, INDEX, LOCK TABLES, TRIGGER, " +
		"CREATE VIEW, SHOW VIEW ON *.* TO 'hotswap'@'%'",
	"GRANT REPLICATION SLAVE, REPLICATION CLIENT, PROCESS ON *.* TO 'hotswap'@'%'",
}

// MySQL is a running MariaDB (started by this package) or an external
// MySQL/MariaDB server. Connect as User for what hotswap itself does and as
// RootUser for test setup.
type MySQL struct {
	Host                   string // "127.0.0.1" for local servers
	Port                   int
	User, Password         string // "hotswap" with exactly MySQLGrants
	RootUser, RootPassword string // all privileges, for test setup
	External               bool   // taken from HOTSWAP_TEST_MYSQL_DSN

	// Set for local servers only.
	ServerID int    // server_id of this server
	Dir      string // temp dir holding my.cnf, data/, the socket and logs
	DataDir  string // Dir/data
	LogPath  string // mariadbd's stderr (its error log)

	mu         sync.Mutex // guards proc across Restart/stop
	proc       *process
	unregister func()
	primary    *MySQL // set on replicas from StartReplica
}

var (
	mysqlOnce   sync.Once
	mysqlShared *MySQL
	mysqlErr    error
)

// MySQLServer returns the package-wide MariaDB, started on first call, or the
// external server named by HOTSWAP_TEST_MYSQL_DSN (a root/admin DSN in
// go-sql-driver format, e.g. "root:pw@tcp(127.0.0.1:3306)/"), where the
// hotswap user is created if missing. If no server can be had the test is
// skipped, or failed when CI=true.
func MySQLServer(t testing.TB) *MySQL {
	t.Helper()
	mysqlOnce.Do(func() {
		start := time.Now()
		mysqlShared, mysqlErr = openMySQLServer()
		if mysqlErr == nil {
			t.Logf("testdb: MySQL server %s:%d ready in %s (external=%v)",
				mysqlShared.Host, mysqlShared.Port, time.Since(start).Round(time.Millisecond), mysqlShared.External)
		}
	})
	if mysqlErr != nil {
		unavailable(t, mariaDBName, mariaDBInstall, mysqlErr)
	}
	return mysqlShared
}

func openMySQLServer() (*MySQL, error) {
	if dsn := os.Getenv(mysqlDSNEnv); dsn != "" {
		return externalMySQL(dsn)
	}
	return startLocalMySQL(localOptions{})
}

// DSN is a go-sql-driver DSN for database db as the hotswap user.
func (s *MySQL) DSN(db string) string { return s.dsn(s.User, s.Password, db) }

// RootDSN is a go-sql-driver DSN for database db as the admin user.
func (s *MySQL) RootDSN(db string) string { return s.dsn(s.RootUser, s.RootPassword, db) }

func (s *MySQL) dsn(user, password, db string) string {
	return fmt.Sprintf("%s:%s@tcp(%s:%d)/%s?multiStatements=false", user, password, s.Host, s.Port, db)
}

// NewDatabase creates a uniquely named database and returns its name and a
// root connection pool using it. Both are closed/dropped in t.Cleanup.
func (s *MySQL) NewDatabase(t testing.TB) (name string, admin *sql.DB) {
	t.Helper()
	name = uniqueDBName(t)
	if err := s.exec(fmt.Sprintf("CREATE DATABASE `%s`", name)); err != nil {
		t.Fatalf("testdb: create database %s: %v", name, err)
	}
	admin, err := sql.Open("mysql", s.RootDSN(name))
	if err != nil {
		t.Fatalf("testdb: open %s: %v", name, err)
	}
	t.Cleanup(func() {
		_ = admin.Close()
		if err := s.exec(fmt.Sprintf("DROP DATABASE IF EXISTS `%s`", name)); err != nil {
			t.Logf("testdb: drop database %s: %v", name, err)
		}
	})
	return name, admin
}

// exec runs statements in order on one root connection without a database.
func (s *MySQL) exec(stmts ...string) error {
	return execMySQL(s.RootDSN(""), stmts...)
}

func execMySQL(dsn string, stmts ...string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	conn, err := db.Conn(ctx) // one session, so SET sql_log_bin sticks
	if err != nil {
		return err
	}
	defer conn.Close()
	for _, stmt := range stmts {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("%s: %w", stmt, err)
		}
	}
	return nil
}

// pingMySQL is the readiness probe: one fresh TCP connection, bounded.
func pingMySQL(dsn string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.PingContext(ctx)
}
