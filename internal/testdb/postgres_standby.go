package testdb

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

const (
	baseBackupTimeout = 2 * time.Minute
	standbyTimeout    = 30 * time.Second
)

// StartStandby starts a physical streaming hot standby of the local primary
// p: a base backup of p in a new temp dir, started on its own loopback port
// and streaming from p over TCP as the superuser. Roles replicate, so DSN and
// SuperDSN log in as on p. It returns once the standby has replayed all that
// p had written; it is stopped and removed in t.Cleanup (or by Main).
// Tests pause replay with pg_wal_replay_pause() through SuperDSN.
func (p *Postgres) StartStandby(t testing.TB) *Postgres {
	t.Helper()
	if p.External {
		needsLocal(t, "StartStandby (it copies the data directory)", postgresDSNEnv)
	}
	start := time.Now()
	s, err := p.startStandby()
	if err != nil {
		unavailable(t, postgresName, postgresInstall, fmt.Errorf("standby of port %d: %w", p.Port, err))
	}
	t.Cleanup(func() {
		if err := s.stop(); err != nil {
			t.Logf("testdb: %v", err)
		}
	})
	s.CatchUp(t)
	t.Logf("testdb: PostgreSQL standby on port %d of port %d ready in %s",
		s.Port, p.Port, time.Since(start).Round(time.Millisecond))
	return s
}

// needsLocal ends a test that asked an external server for a replica or a
// standby: its data directory and configuration are out of reach. In CI
// these tests must run, hence a failure there.
func needsLocal(t testing.TB, what, env string) {
	t.Helper()
	msg := "testdb: " + what + " needs the local server, not the external one; unset " + env + " to run this test"
	if inCI() {
		t.Fatal(msg + " (CI=true, so this fails)")
		return
	}
	t.Skip(msg)
}

// startStandby clones p and starts the clone as a standby, running as the
// same OS user as p.
func (p *Postgres) startStandby() (*Postgres, error) {
	cred, err := postgresCredential()
	if err != nil {
		return nil, err
	}
	s, err := newLocalPostgres(cred)
	if err != nil {
		return nil, err
	}
	s.primary = p
	if err := s.baseBackup(cred); err != nil {
		_ = os.RemoveAll(s.Dir)
		return nil, err
	}
	if err := s.launch(cred); err != nil {
		_ = os.RemoveAll(s.Dir)
		return nil, fmt.Errorf("start standby: %w", err)
	}
	s.unregister = register(s.stop)
	return s, nil
}

// baseBackup copies the primary into s.DataDir over a replication
// connection, as a real standby is seeded: -X stream brings the WAL written
// during the copy (the clone is consistent on first start), -R writes
// standby.signal and primary_conninfo (with the superuser's password, so the
// walreceiver can log in over TCP). The fast checkpoint keeps it quick.
func (s *Postgres) baseBackup(cred *syscall.Credential) error {
	bin, err := serverTool("pg_basebackup")
	if err != nil {
		return err
	}
	cmd := exec.Command(bin, "-D", s.DataDir, "-d", s.primary.SuperDSN(s.primary.maintDB),
		"--wal-method=stream", "--write-recovery-conf", "--checkpoint=fast",
		"--no-sync", "--no-password")
	s.asServerUser(cmd, cred)
	logPath := filepath.Join(s.Dir, "basebackup.log")
	if err := runLogged("pg_basebackup", cmd, logPath, baseBackupTimeout); err != nil {
		return fmt.Errorf("base backup of port %d: %w\n--- %s ---\n%s", s.primary.Port, err, logPath, logTail(logPath, 30))
	}
	return nil
}

// serverTool finds a client program of the same major version as the server
// binary: next to the (symlink-resolved) postgres, since a PATH entry such
// as Debian's /usr/bin/pg_basebackup is a wrapper that may pick another
// installed version.
func serverTool(name string) (string, error) {
	server, err := findBinary([]string{"postgres"}, postgresBinDirs()...)
	if err != nil {
		return "", err
	}
	if real, err := filepath.EvalSymlinks(server); err == nil {
		if tool, err := exec.LookPath(filepath.Join(filepath.Dir(real), name)); err == nil {
			return tool, nil
		}
	}
	return findBinary([]string{name}, postgresBinDirs()...)
}

// CatchUp waits until standby s has replayed everything its primary
// committed so far, or fails the test after 30 s (e.g. while replay is
// paused). Only for standbys from StartStandby.
func (s *Postgres) CatchUp(t testing.TB) {
	t.Helper()
	if s.primary == nil {
		t.Fatal("testdb: CatchUp called on a server that is not a StartStandby standby")
	}
	ctx, cancel := context.WithTimeout(context.Background(), standbyTimeout)
	defer cancel()
	target, err := s.primary.flushWAL(ctx)
	if err != nil {
		t.Fatalf("testdb: primary WAL position: %v", err)
	}
	if err := s.waitReplayed(ctx, target); err != nil {
		t.Fatalf("testdb: standby on port %d: %v\n--- %s ---\n%s", s.Port, err, s.LogPath, logTail(s.LogPath, 20))
	}
}

// flushWAL returns a WAL position at or after every commit made so far. The
// servers run with synchronous_commit=off, so recent commits may still sit in
// WAL buffers, unsent to the standby: a synchronously committed transaction
// that writes WAL (a logical message, ignored by slots of other databases)
// flushes them.
func (p *Postgres) flushWAL(ctx context.Context) (string, error) {
	conn, err := pgx.Connect(ctx, p.SuperDSN(p.maintDB))
	if err != nil {
		return "", fmt.Errorf("connect to primary as %s: %w", p.SuperUser, err)
	}
	defer conn.Close(context.Background())
	stmts := []string{
		"SET synchronous_commit = on",
		"SELECT pg_logical_emit_message(true, 'hotswap_testdb', 'standby catch-up')",
	}
	for _, stmt := range stmts {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			return "", fmt.Errorf("%s: %w", stmt, err)
		}
	}
	var lsn string
	if err := conn.QueryRow(ctx, "SELECT pg_current_wal_flush_lsn()::text").Scan(&lsn); err != nil {
		return "", fmt.Errorf("read flushed WAL position: %w", err)
	}
	return lsn, nil
}

// waitReplayed polls the standby until its replay position reaches target or
// ctx ends.
func (s *Postgres) waitReplayed(ctx context.Context, target string) error {
	conn, err := pgx.Connect(ctx, s.SuperDSN(s.maintDB))
	if err != nil {
		return fmt.Errorf("connect as %s: %w", s.SuperUser, err)
	}
	defer conn.Close(context.Background())
	const q = `SELECT coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, false),
		coalesce(pg_last_wal_replay_lsn()::text, 'nothing'), pg_get_wal_replay_pause_state()`
	var done bool
	replayed, pause := "nothing", "state unknown"
	for {
		err := conn.QueryRow(ctx, q, target).Scan(&done, &replayed, &pause)
		switch {
		case ctx.Err() != nil:
			return fmt.Errorf("replayed %s, not %s, within %s (replay %s)", replayed, target, standbyTimeout, pause)
		case err != nil:
			return fmt.Errorf("wait for replay of %s: %w", target, err)
		case done:
			return nil
		}
		select {
		case <-ctx.Done():
		case <-time.After(50 * time.Millisecond):
		}
	}
}
