package testdb

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

const (
	postgresInitTimeout  = 2 * time.Minute
	postgresReadyTimeout = 60 * time.Second
	postgresStopGrace    = 30 * time.Second
)

// startLocalPostgres runs initdb in a fresh temp dir, starts the postmaster
// directly (not via pg_ctl, so Pdeathsig applies to it) and creates the
// hotswap role.
func startLocalPostgres() (*Postgres, error) {
	cred, err := postgresCredential()
	if err != nil {
		return nil, err
	}
	p, err := newLocalPostgres(cred)
	if err != nil {
		return nil, err
	}
	uid, gid := credIDs(cred)
	if err := p.initialize(cred, uid, gid); err != nil {
		_ = os.RemoveAll(p.Dir)
		return nil, err
	}
	p.unregister = register(p.stop)
	return p, nil
}

// newLocalPostgres allocates a temp dir (owned by the server's OS user) and a
// loopback port for a local server; nothing is started yet. Primary and
// standby share it so both log in with the same roles and passwords.
func newLocalPostgres(cred *syscall.Credential) (*Postgres, error) {
	uid, gid := credIDs(cred)
	dir, err := newServerDir(postgresDirPrefix, uid, gid)
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	return &Postgres{
		Host: "127.0.0.1", Port: port,
		User: postgresUser, Password: postgresPassword,
		SuperUser: "postgres", SuperPassword: postgresSuperPass,
		Dir: dir, DataDir: filepath.Join(dir, "data"), LogPath: filepath.Join(dir, "postgres.log"),
		maintDB: "postgres",
	}, nil
}

// credIDs returns cred's uid/gid for chown, or -1/-1 (keep the owner) when
// the server runs as the current user.
func credIDs(cred *syscall.Credential) (uid, gid int) {
	if cred == nil {
		return -1, -1
	}
	return int(cred.Uid), int(cred.Gid)
}

// postgresCredential returns the OS user to run PostgreSQL as: postgres
// refuses to run as root, so root switches to the `postgres` account; any
// other user runs it as itself (nil).
func postgresCredential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root needs an OS user 'postgres' to run the server: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), NoSetGroups: true}, nil
}

func (p *Postgres) initialize(cred *syscall.Credential, uid, gid int) error {
	if err := p.initdb(cred, uid, gid); err != nil {
		return err
	}
	if err := p.launch(cred); err != nil {
		return err
	}
	if err := p.ensureRole(); err != nil {
		_ = p.stop()
		return fmt.Errorf("create role %s: %w", p.User, err)
	}
	return nil
}

// initdb creates the cluster with a superuser password; host logins
// (including replication, which initdb's pg_hba.conf allows from
// 127.0.0.1) use SCRAM, the socket in Dir is trusted.
func (p *Postgres) initdb(cred *syscall.Credential, uid, gid int) error {
	bin, err := findBinary([]string{"initdb"}, postgresBinDirs()...)
	if err != nil {
		return err
	}
	pwfile := filepath.Join(p.Dir, "superuser.pw")
	if err := os.WriteFile(pwfile, []byte(p.SuperPassword+"\n"), 0o600); err != nil {
		return fmt.Errorf("write password file: %w", err)
	}
	if uid >= 0 {
		if err := os.Chown(pwfile, uid, gid); err != nil {
			return fmt.Errorf("chown password file: %w", err)
		}
	}
	cmd := exec.Command(bin, "-D", p.DataDir, "-U", p.SuperUser, "--pwfile="+pwfile,
		"--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8", "--locale=C",
		"--no-sync", "--no-instructions")
	p.asServerUser(cmd, cred)
	initLog := filepath.Join(p.Dir, "initdb.log")
	if err := runLogged("initdb", cmd, initLog, postgresInitTimeout); err != nil {
		return fmt.Errorf("%w\n--- %s ---\n%s", err, initLog, logTail(initLog, 30))
	}
	return nil
}

func (p *Postgres) asServerUser(cmd *exec.Cmd, cred *syscall.Credential) {
	cmd.Dir = p.Dir // the server user must be able to stat its working dir
	if cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	}
}

// serverArgs are the settings hotswap's PostgreSQL tests rely on; fsync and
// friends are off because the data is throwaway. Primary and standbys use the
// same ones: a standby refuses to start with a lower max_connections or
// max_wal_senders than its primary.
func (p *Postgres) serverArgs() []string {
	settings := []string{
		"listen_addresses=127.0.0.1",
		"unix_socket_directories=" + p.Dir,
		"wal_level=logical",
		"max_replication_slots=20",
		// Above max_replication_slots: every logical slot may have its
		// walsender and a StartStandby still gets its base backup's two
		// senders and its walreceiver's.
		"max_wal_senders=30",
		"hot_standby=on", // read by standbys only (StartStandby)
		"max_connections=200",
		"fsync=off",
		"synchronous_commit=off",
		"full_page_writes=off",
		"shared_buffers=128MB",
	}
	args := []string{"-D", p.DataDir, "-p", strconv.Itoa(p.Port)}
	for _, s := range settings {
		args = append(args, "-c", s)
	}
	return args
}

// launch starts the postmaster and waits until the superuser can log in over
// TCP.
func (p *Postgres) launch(cred *syscall.Credential) error {
	bin, err := findBinary([]string{"postgres"}, postgresBinDirs()...)
	if err != nil {
		return err
	}
	cmd := exec.Command(bin, p.serverArgs()...)
	p.asServerUser(cmd, cred)
	proc, err := startProcess("postgres", cmd, p.LogPath)
	if err != nil {
		return err
	}
	ping := func() error { return pingPostgres(p.SuperDSN(p.maintDB)) }
	if err := waitReady(proc, postgresReadyTimeout, ping, p.LogPath); err != nil {
		return err
	}
	p.mu.Lock()
	p.proc = proc
	p.mu.Unlock()
	return nil
}

// stop shuts the postmaster down (SIGINT = fast shutdown) and removes Dir.
func (p *Postgres) stop() error {
	p.mu.Lock()
	proc := p.proc
	p.proc = nil
	p.mu.Unlock()
	var err error
	if proc != nil {
		err = proc.stop(syscall.SIGINT, postgresStopGrace)
	}
	if p.unregister != nil {
		p.unregister()
	}
	if rmErr := os.RemoveAll(p.Dir); rmErr != nil && err == nil {
		err = fmt.Errorf("remove %s: %w", p.Dir, rmErr)
	}
	if err != nil {
		return fmt.Errorf("stop PostgreSQL on port %d: %w", p.Port, err)
	}
	return nil
}

// Restart shuts the postmaster down (fast shutdown: every session is ended,
// as in a real restart) and starts it again on the same data directory and
// port. Not for external servers, nor next to parallel tests on the server.
func (p *Postgres) Restart(t testing.TB) {
	t.Helper()
	if p.External {
		t.Skip("testdb: Restart needs the local PostgreSQL, not an external server")
	}
	start := time.Now()
	p.mu.Lock()
	proc := p.proc
	p.proc = nil
	p.mu.Unlock()
	if proc != nil {
		if err := proc.stop(syscall.SIGINT, postgresStopGrace); err != nil {
			t.Fatalf("testdb: restart: %v", err)
		}
	}
	cred, err := postgresCredential()
	if err != nil {
		t.Fatalf("testdb: restart: %v", err)
	}
	if err := p.launch(cred); err != nil {
		t.Fatalf("testdb: restart: %v", err)
	}
	t.Logf("testdb: PostgreSQL on port %d restarted in %s", p.Port, time.Since(start).Round(time.Millisecond))
}
