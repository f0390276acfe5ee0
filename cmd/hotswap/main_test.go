package main

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hotswap/hotswap/backfill"
	"github.com/hotswap/hotswap/internal/testdb"
	"github.com/hotswap/hotswap/migration"
	"github.com/spf13/pflag"
)

func TestMain(m *testing.M) {
	if os.Getenv(asCLI) == "1" {
		os.Exit(run(os.Args[1:]))
	}
	os.Exit(testdb.Main(m))
}

func TestExitStatuses(t *testing.T) {
	srv := testdb.MySQLServer(t)
	db, admin := srv.NewDatabase(t)
	if _, err := admin.Exec("CREATE TABLE t (id INT PRIMARY KEY, v INT)"); err != nil {
		t.Fatal(err)
	}
	admin.Exec("INSERT INTO t VALUES (1, 1), (2, 2)")
	pwFile := t.TempDir() + "/pw"
	os.WriteFile(pwFile, []byte(srv.Password+"\n"), 0o600)
	base := []string{"alter", "--host", srv.Host, "--port", itoa(srv.Port), "--user", srv.User,
		"--password-file", pwFile, "--database", db, "--table", "t", "--quiet"}
	cases := []struct {
		name string
		args []string
		want int
	}{
		{"version", []string{"version"}, exitOK},
		{"unknown flag", []string{"alter", "--nope"}, exitRefused},
		{"missing table flag", []string{"alter", "--user", "u", "--database", "d"}, exitRefused},
		{"preflight refusal", append(base, "--alter", "RENAME TO t2", "--execute"), exitRefused},
		{"dry run", append(base, "--alter", "ADD COLUMN c INT"), exitOK},
		{"execute", append(base, "--alter", "ADD COLUMN c INT", "--execute"), exitOK},
	}
	for _, c := range cases {
		if got := run(c.args); got != c.want {
			t.Errorf("%s: exit status %d, want %d", c.name, got, c.want)
		}
	}
	var ddl, name string
	admin.QueryRow("SHOW CREATE TABLE t").Scan(&name, &ddl)
	if !strings.Contains(ddl, "`c` int") {
		t.Errorf("execute did not add the column:\n%s", ddl)
	}
}

func TestPasswordFromEnvironment(t *testing.T) {
	t.Setenv("HOTSWAP_PASSWORD", "from-env")
	c := connFlags{engine: "mysql", user: "u", database: "d", host: "h", port: 1}
	_, cfg, err := c.resolve()
	if err != nil || cfg.Password != "from-env" {
		t.Fatalf("password from env: %+v %v", cfg, err)
	}
	c = connFlags{engine: "mysql", dsn: "mysql://u2:pw2@db.example:3307/shop"}
	engine, cfg, err := c.resolve()
	if err != nil || engine != "mysql" || cfg.User != "u2" || cfg.Password != "pw2" || cfg.Host != "db.example" || cfg.Port != 3307 || cfg.Database != "shop" {
		t.Fatalf("dsn: %s %+v %v", engine, cfg, err)
	}
}

func TestPostgresDSNSetsEngineAndDefaultPort(t *testing.T) {
	c := connFlags{engine: "mysql", dsn: "postgres://app@db.example/shop"}
	engine, cfg, err := c.resolve()
	if err != nil || engine != "postgres" || cfg.Port != 5432 || cfg.User != "app" || cfg.Database != "shop" {
		t.Fatalf("postgres dsn: %s %+v %v", engine, cfg, err)
	}
	c = connFlags{engine: "oracle", user: "u", database: "d"}
	if _, _, err := c.resolve(); err == nil || !strings.Contains(err.Error(), "want mysql or postgres") {
		t.Fatalf("unknown engine: %v", err)
	}
}

// TestControlReplicaDefaultPort: a control replica given without a port
// gets the engine's: 3306, or 5432 for a PostgreSQL standby.
func TestControlReplicaDefaultPort(t *testing.T) {
	for engine, want := range map[string]string{migration.EngineMySQL: "sb1:3306,sb2:7", migration.EnginePostgres: "sb1:5432,sb2:7"} {
		var c controlFlags
		fl := pflag.NewFlagSet("alter", pflag.ContinueOnError)
		c.register(fl)
		if err := fl.Parse([]string{"--throttle-control-replicas", "sb1,sb2:7"}); err != nil {
			t.Fatal(err)
		}
		cfg := migration.Config{Engine: engine}
		if err := c.applyAlter(&cfg); err != nil {
			t.Fatal(err)
		}
		if got, _ := cfg.Throttle.Get("throttle-control-replicas"); got != want {
			t.Errorf("%s: replicas %q, want %q", engine, got, want)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestBackfillTakesTheControlFlags: a backfill takes the same throttling and
// control flags as an alter, into the same settings.
func TestBackfillTakesTheControlFlags(t *testing.T) {
	var c controlFlags
	fl := pflag.NewFlagSet("backfill", pflag.ContinueOnError)
	c.register(fl)
	if err := fl.Parse([]string{"--serve-socket-file", "/tmp/b.sock", "--panic-flag-file", "/tmp/p", "--max-lag-millis", "700", "--heartbeat-interval-millis", "250"}); err != nil {
		t.Fatal(err)
	}
	var s backfill.Config
	if err := c.apply(migration.EnginePostgres, &s.Settings); err != nil {
		t.Fatal(err)
	}
	lag, _ := s.Throttle.Get("max-lag-millis")
	if s.ServeSocketFile != "/tmp/b.sock" || s.PanicFlagFile != "/tmp/p" || lag != "700" || s.HeartbeatInterval != 250*time.Millisecond {
		t.Fatalf("settings %+v (max-lag-millis %s)", s.Settings, lag)
	}
}
