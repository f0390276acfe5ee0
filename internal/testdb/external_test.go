package testdb

import (
	"os"
	"strings"
	"testing"
)

// Parsing only: no server is contacted.
func TestExternalServerSelection(t *testing.T) {
	t.Setenv(mysqlDSNEnv, "admin:s3cr@t@tcp(127.0.0.2:3307)/")
	s, err := parseMySQLAdminDSN(os.Getenv(mysqlDSNEnv))
	if err != nil {
		t.Fatal(err)
	}
	if s.Host != "127.0.0.2" || s.Port != 3307 || s.RootUser != "admin" || s.RootPassword != "s3cr@t" ||
		s.User != "hotswap" || !s.External {
		t.Fatalf("parsed %+v", s)
	}
	if dsn := s.DSN("db1"); !strings.HasPrefix(dsn, "hotswap:"+s.Password+"@tcp(127.0.0.2:3307)/db1?multiStatements=false") {
		t.Fatalf("DSN = %q", dsn)
	}
	if s, err := parseMySQLAdminDSN("root@tcp(localhost)/"); err != nil || s.Port != 3306 {
		t.Fatalf("default port: %+v, %v", s, err)
	}
	if _, err := parseMySQLAdminDSN("root@unix(/run/mysqld.sock)/"); err == nil {
		t.Fatal("unix socket DSN accepted; hotswap needs TCP")
	}

	t.Setenv(postgresDSNEnv, "postgres://pgadmin:pw@127.0.0.3:5433/maint")
	p, err := parsePostgresAdminDSN(os.Getenv(postgresDSNEnv))
	if err != nil {
		t.Fatal(err)
	}
	if p.Host != "127.0.0.3" || p.Port != 5433 || p.SuperUser != "pgadmin" || p.SuperPassword != "pw" ||
		p.maintDB != "maint" || p.User != "hotswap" || !p.External {
		t.Fatalf("parsed %+v", p)
	}
	if got, want := p.SuperDSN("x"), "postgres://pgadmin:pw@127.0.0.3:5433/x?sslmode=disable"; got != want {
		t.Fatalf("SuperDSN = %q, want %q", got, want)
	}
}

// recorder stands in for *testing.T to see whether unavailable skips or fails.
type recorder struct {
	testing.TB
	failed, skipped bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Fatalf(string, ...any) { r.failed = true }
func (r *recorder) Skipf(string, ...any)  { r.skipped = true }

func TestUnavailableFailsInCI(t *testing.T) {
	for _, ci := range []string{"true", ""} {
		t.Setenv("CI", ci)
		r := &recorder{TB: t}
		unavailable(r, mariaDBName, mariaDBInstall, os.ErrNotExist)
		if r.failed != (ci == "true") || r.skipped == (ci == "true") {
			t.Errorf("CI=%q: failed=%v skipped=%v", ci, r.failed, r.skipped)
		}
	}
}
