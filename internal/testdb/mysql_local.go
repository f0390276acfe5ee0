package testdb

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

const (
	mysqlInstallTimeout = 2 * time.Minute
	mysqlReadyTimeout   = 60 * time.Second
	mysqlStopGrace      = 30 * time.Second
)

// lastServerID hands out server_id values; every local server of one binary
// gets its own so replicas and binlog readers never collide.
var lastServerID atomic.Int32

// localOptions vary a local server from the default (a binlogging primary).
type localOptions struct {
	replica  bool // adds log_slave_updates
	noBinlog bool // no binary log at all, for tests of the refusal
}

// startLocalMySQL initialises a datadir, starts mariadbd and creates the root
// and hotswap accounts.
func startLocalMySQL(o localOptions) (*MySQL, error) {
	if _, err := findBinary([]string{"mariadbd", "mysqld"}, "/usr/sbin", "/usr/local/sbin"); err != nil {
		return nil, err
	}
	dir, err := newServerDir(mysqlDirPrefix, -1, -1)
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	s := &MySQL{
		Host: "127.0.0.1", Port: port,
		User: mysqlUser, Password: mysqlPassword,
		RootUser: "root", RootPassword: mysqlRootPasswd,
		ServerID: int(lastServerID.Add(1)),
		Dir:      dir, DataDir: filepath.Join(dir, "data"), LogPath: filepath.Join(dir, "mariadbd.log"),
	}
	if err := s.initialize(o); err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	s.unregister = register(s.stop)
	return s, nil
}

// initialize writes my.cnf, runs mariadb-install-db, starts the server and
// sets up accounts. On error the server is stopped again.
func (s *MySQL) initialize(o localOptions) error {
	if err := os.WriteFile(s.cnfPath(), []byte(s.config(o)), 0o644); err != nil {
		return fmt.Errorf("write my.cnf: %w", err)
	}
	install, err := findBinary([]string{"mariadb-install-db", "mysql_install_db"}, "/usr/bin", "/usr/local/bin")
	if err != nil {
		return err
	}
	installLog := filepath.Join(s.Dir, "install.log")
	args := append([]string{"--defaults-file=" + s.cnfPath()}, rootUserArgs()...)
	args = append(args, "--auth-root-authentication-method=normal", "--skip-test-db", "--skip-name-resolve")
	if err := runLogged("mariadb-install-db", exec.Command(install, args...), installLog, mysqlInstallTimeout); err != nil {
		return fmt.Errorf("%w\n--- %s ---\n%s", err, installLog, logTail(installLog, 30))
	}
	// Right after install root@127.0.0.1 has an empty password.
	if err := s.launch(s.dsn("root", "", "")); err != nil {
		return err
	}
	if err := s.bootstrapAccounts(); err != nil {
		_ = s.stop()
		return fmt.Errorf("set up accounts: %w", err)
	}
	return nil
}

func (s *MySQL) cnfPath() string { return filepath.Join(s.Dir, "my.cnf") }

// config is the server's complete option file (read with --defaults-file, so
// /etc/mysql is ignored).
func (s *MySQL) config(o localOptions) string {
	lines := []string{
		"[mysqld]",
		"datadir=" + s.DataDir,
		"socket=" + filepath.Join(s.Dir, "my.sock"),
		"pid-file=" + filepath.Join(s.Dir, "mariadbd.pid"),
		"tmpdir=" + s.Dir,
		fmt.Sprintf("port=%d", s.Port),
		"bind-address=127.0.0.1",
		"skip-name-resolve",
		fmt.Sprintf("server_id=%d", s.ServerID),
		"relay_log=" + filepath.Join(s.Dir, "relay"),
		"binlog_format=ROW",
		"binlog_row_image=FULL",
		"event_scheduler=ON",
		"performance_schema=OFF",
		"innodb_buffer_pool_size=128M",
		// Durability is irrelevant for throwaway data; speed is not.
		"innodb_flush_log_at_trx_commit=2",
		"sync_binlog=0",
		"innodb_doublewrite=0",
		"max_connections=500",
		"character-set-server=utf8mb4",
		// lets an account without SUPER create triggers while the binary
		// log is on, as servers hosting tables with triggers usually do:
		// hotswap carries a table's triggers with CREATE TRIGGER
		"log_bin_trust_function_creators=ON",
	}
	if !o.noBinlog {
		lines = append(lines, "log_bin="+filepath.Join(s.Dir, "binlog"))
	}
	if o.replica {
		lines = append(lines, "log_slave_updates=ON")
	}
	return strings.Join(lines, "\n") + "\n"
}

// rootUserArgs lets mariadbd/install-db run as root, which they refuse by
// default; as any other user they simply run as that user.
func rootUserArgs() []string {
	if os.Geteuid() == 0 {
		return []string{"--user=root"}
	}
	return nil
}

// launch starts mariadbd on the existing datadir and waits until pingDSN
// answers over TCP.
func (s *MySQL) launch(pingDSN string) error {
	bin, err := findBinary([]string{"mariadbd", "mysqld"}, "/usr/sbin", "/usr/local/sbin")
	if err != nil {
		return err
	}
	args := append([]string{"--defaults-file=" + s.cnfPath()}, rootUserArgs()...)
	p, err := startProcess("mariadbd", exec.Command(bin, args...), s.LogPath)
	if err != nil {
		return err
	}
	if err := waitReady(p, mysqlReadyTimeout, func() error { return pingMySQL(pingDSN) }, s.LogPath); err != nil {
		return err
	}
	s.mu.Lock()
	s.proc = p
	s.mu.Unlock()
	return nil
}

// bootstrapAccounts gives root a password (TCP and socket), removes accounts
// that would shadow ours, and creates the hotswap user. sql_log_bin=0 keeps
// this out of the binlog, so a replica can replay the binlog from its start.
func (s *MySQL) bootstrapAccounts() error {
	stmts := []string{
		"SET SESSION sql_log_bin = 0",
		"DELETE FROM mysql.global_priv WHERE user = '' OR host NOT IN ('localhost', '127.0.0.1')",
		"FLUSH PRIVILEGES",
		fmt.Sprintf("ALTER USER 'root'@'localhost' IDENTIFIED BY '%s'", s.RootPassword),
		fmt.Sprintf("ALTER USER 'root'@'127.0.0.1' IDENTIFIED BY '%s'", s.RootPassword),
		fmt.Sprintf("CREATE USER '%s'@'%%' IDENTIFIED BY '%s'", s.User, s.Password),
	}
	stmts = append(stmts, MySQLGrants...)
	return execMySQL(s.dsn("root", "", ""), stmts...)
}

// Restart stops the server cleanly and starts it again on the same datadir
// and port. Connections held by tests are broken, as with a real restart.
// Not for external servers. Not safe to combine with parallel tests that use
// the same server.
func (s *MySQL) Restart(t testing.TB) {
	t.Helper()
	if s.External {
		t.Skip("testdb: Restart needs the local MariaDB, not an external server")
	}
	start := time.Now()
	if err := s.stopProcess(); err != nil {
		t.Fatalf("testdb: restart: %v", err)
	}
	if err := s.launch(s.RootDSN("")); err != nil {
		t.Fatalf("testdb: restart: %v", err)
	}
	t.Logf("testdb: MariaDB on port %d restarted in %s", s.Port, time.Since(start).Round(time.Millisecond))
}

// stopProcess shuts mariadbd down (SIGTERM is a clean shutdown) and waits.
func (s *MySQL) stopProcess() error {
	s.mu.Lock()
	p := s.proc
	s.proc = nil
	s.mu.Unlock()
	if p == nil {
		return nil
	}
	return p.stop(syscall.SIGTERM, mysqlStopGrace)
}

// stop ends the server for good and removes its directory.
func (s *MySQL) stop() error {
	err := s.stopProcess()
	if s.unregister != nil {
		s.unregister()
	}
	if rmErr := os.RemoveAll(s.Dir); rmErr != nil && err == nil {
		err = fmt.Errorf("remove %s: %w", s.Dir, rmErr)
	}
	if err != nil {
		return fmt.Errorf("stop MariaDB on port %d: %w", s.Port, err)
	}
	return nil
}
