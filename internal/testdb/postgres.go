package testdb

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
)

const (
	postgresName      = "PostgreSQL"
	postgresInstall   = "apt-get install -y postgresql"
	postgresDSNEnv    = "HOTSWAP_TEST_POSTGRES_DSN"
	postgresDirPrefix = "hspg"
	postgresUser      = "hotswap"
	postgresPassword  = "hotswap-test-pw"
	postgresSuperPass = "postgres-test-pw"
)

// Postgres is a running PostgreSQL (started by this package) or an external
// one. User is LOGIN REPLICATION CREATEDB but not a superuser, as hotswap
// runs in production; it owns every database from NewDatabase.
type Postgres struct {
	Host                     string // "127.0.0.1" for local servers
	Port                     int
	User, Password           string // "hotswap"
	SuperUser, SuperPassword string // superuser, for test setup
	External                 bool   // taken from HOTSWAP_TEST_POSTGRES_DSN

	// Set for local servers only.
	Dir     string // temp dir holding data/, the socket and the log
	DataDir string // Dir/data
	LogPath string // the postmaster's stderr

	maintDB    string    // database the superuser connects to for setup
	primary    *Postgres // set on standbys from StartStandby, for CatchUp
	mu         sync.Mutex
	proc       *process
	unregister func()
}

var (
	postgresOnce   sync.Once
	postgresShared *Postgres
	postgresErr    error
)

// PostgresServer returns the package-wide PostgreSQL, started on first call,
// or the external server named by HOTSWAP_TEST_POSTGRES_DSN (a superuser URL,
// e.g. postgres://postgres:pw@127.0.0.1:5432/postgres), where the hotswap
// role is created if missing. If no server can be had the test is skipped,
// or failed when CI=true.
func PostgresServer(t testing.TB) *Postgres {
	t.Helper()
	postgresOnce.Do(func() {
		start := time.Now()
		if dsn := os.Getenv(postgresDSNEnv); dsn != "" {
			postgresShared, postgresErr = externalPostgres(dsn)
		} else {
			postgresShared, postgresErr = startLocalPostgres()
		}
		if postgresErr == nil {
			t.Logf("testdb: PostgreSQL server %s:%d ready in %s (external=%v)",
				postgresShared.Host, postgresShared.Port, time.Since(start).Round(time.Millisecond), postgresShared.External)
		}
	})
	if postgresErr != nil {
		unavailable(t, postgresName, postgresInstall, postgresErr)
	}
	return postgresShared
}

// DSN is a URL for database db as the hotswap role.
func (p *Postgres) DSN(db string) string { return p.url(p.User, p.Password, db) }

// SuperDSN is a URL for database db as the superuser.
func (p *Postgres) SuperDSN(db string) string { return p.url(p.SuperUser, p.SuperPassword, db) }

func (p *Postgres) url(user, password, db string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(user, password),
		Host:     net.JoinHostPort(p.Host, strconv.Itoa(p.Port)),
		Path:     "/" + db,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// NewDatabase creates a uniquely named database owned by the hotswap role and
// returns its name and a superuser *sql.DB (pgx stdlib driver "pgx")
// connected to it. In t.Cleanup the pool is closed, the database's
// replication slots are dropped and the database is dropped.
func (p *Postgres) NewDatabase(t testing.TB) (name string, admin *sql.DB) {
	t.Helper()
	name = uniqueDBName(t)
	stmt := fmt.Sprintf("CREATE DATABASE %s OWNER %s", pgx.Identifier{name}.Sanitize(), pgx.Identifier{p.User}.Sanitize())
	if err := p.exec(stmt); err != nil {
		t.Fatalf("testdb: %v", err)
	}
	admin, err := sql.Open("pgx", p.SuperDSN(name))
	if err != nil {
		t.Fatalf("testdb: open %s: %v", name, err)
	}
	t.Cleanup(func() {
		_ = admin.Close()
		if err := p.dropDatabase(name); err != nil {
			t.Logf("testdb: %v", err)
		}
	})
	return name, admin
}

// dropDatabase removes name even if a test left a logical slot or a
// replication connection behind: DROP DATABASE ... WITH (FORCE) refuses
// databases with slots, so walsenders are terminated and slots dropped first.
// Slot release after termination is asynchronous, hence the retry.
func (p *Postgres) dropDatabase(name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, p.SuperDSN(p.maintDB))
	if err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	defer conn.Close(context.Background())
	drop := "DROP DATABASE IF EXISTS " + pgx.Identifier{name}.Sanitize() + " WITH (FORCE)"
	for {
		_, _ = conn.Exec(ctx, `SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots
			WHERE database = $1 AND active_pid IS NOT NULL`, name)
		_, _ = conn.Exec(ctx, `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots
			WHERE database = $1 AND active_pid IS NULL`, name)
		_, err = conn.Exec(ctx, drop)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %w", drop, err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// exec runs statements in order as the superuser in the maintenance database.
func (p *Postgres) exec(stmts ...string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, p.SuperDSN(p.maintDB))
	if err != nil {
		return fmt.Errorf("connect as %s: %w", p.SuperUser, err)
	}
	defer conn.Close(context.Background())
	for _, stmt := range stmts {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("%s: %w", stmt, err)
		}
	}
	return nil
}

// ensureRole creates the hotswap role if missing and (re)sets its attributes
// and password, so tests know how to log in.
func (p *Postgres) ensureRole() error {
	role := pgx.Identifier{p.User}.Sanitize()
	return p.exec(
		fmt.Sprintf(`DO $$ BEGIN
			IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '%s') THEN CREATE ROLE %s; END IF;
		END $$`, p.User, role),
		fmt.Sprintf("ALTER ROLE %s LOGIN REPLICATION CREATEDB NOSUPERUSER PASSWORD '%s'", role, p.Password),
	)
}

// pingPostgres is the readiness probe: one fresh TCP connection, bounded.
func pingPostgres(dsn string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	return conn.Close(ctx)
}
