package main

import (
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/hotswap/hotswap/internal/dbconn"
	"github.com/spf13/pflag"
)

// connFlags are gh-ost's connection flags plus --dsn and safer password sources.
type connFlags struct {
	engine, dsn, host, user, password, passwordFile, database string
	port                                                      int
}

func (c *connFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&c.engine, "engine", "mysql", "mysql (MySQL and MariaDB) or postgres; a --dsn sets it from its scheme")
	fl.StringVar(&c.dsn, "dsn", "", "mysql://user[:password]@host:port/database or postgres://... instead of the separate flags")
	fl.StringVar(&c.host, "host", "127.0.0.1", "server host")
	fl.IntVar(&c.port, "port", 0, "server port (default 3306 for mysql, 5432 for postgres)")
	fl.StringVar(&c.user, "user", "", "user name")
	fl.StringVar(&c.password, "password", "", "password (visible to other users in the process list: prefer HOTSWAP_PASSWORD or --password-file)")
	fl.StringVar(&c.passwordFile, "password-file", "", "read the password from this file (first line)")
	fl.StringVar(&c.database, "database", "", "database (schema) of the table")
}

// resolve merges --dsn, the flags, and the password sources (flag, file,
// env); it returns the engine too.
func (c *connFlags) resolve() (string, dbconn.Config, error) {
	cfg := dbconn.Config{Host: c.host, Port: c.port, User: c.user, Password: c.password, Database: c.database}
	engine := c.engine
	if c.dsn != "" {
		var err error
		if engine, err = parseDSN(c.dsn, &cfg); err != nil {
			return engine, cfg, err
		}
	}
	switch engine {
	case "mysql", "mariadb":
		engine = "mysql"
	case "postgres", "postgresql":
		engine = "postgres"
	default:
		return engine, cfg, fmt.Errorf("--engine %q: want mysql or postgres", engine)
	}
	if cfg.Port == 0 {
		cfg.Port = map[string]int{"mysql": 3306, "postgres": 5432}[engine]
	}
	return engine, cfg, c.readPassword(&cfg)
}

func (c *connFlags) readPassword(cfg *dbconn.Config) error {
	if c.passwordFile != "" {
		b, err := os.ReadFile(c.passwordFile)
		if err != nil {
			return fmt.Errorf("read --password-file: %w", err)
		}
		cfg.Password = strings.TrimRight(strings.SplitN(string(b), "\n", 2)[0], "\r")
	}
	if cfg.Password == "" {
		cfg.Password = os.Getenv("HOTSWAP_PASSWORD")
	}
	if cfg.User == "" || cfg.Database == "" {
		return fmt.Errorf("--user and --database (or a --dsn with both) are required")
	}
	return nil
}

// parseDSN fills cfg from a URL and returns the engine its scheme names.
func parseDSN(dsn string, cfg *dbconn.Config) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "mysql" && u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", fmt.Errorf("--dsn must look like mysql://user:password@host:port/database or postgres://user:password@host:port/database")
	}
	cfg.Host = u.Hostname()
	if p := u.Port(); p != "" {
		if cfg.Port, err = strconv.Atoi(p); err != nil {
			return "", fmt.Errorf("--dsn port %q is not a number", p)
		}
	}
	if u.User != nil {
		cfg.User = u.User.Username()
		if pw, ok := u.User.Password(); ok {
			cfg.Password = pw
		}
	}
	if db := strings.Trim(u.Path, "/"); db != "" {
		cfg.Database = db
	}
	return u.Scheme, nil
}

// tableFlags is a command's table on its server, resolved from the flags.
type tableFlags struct {
	engine        string
	conn          dbconn.Config
	schema, table string // schema: PostgreSQL only
}

// resolveTable resolves the connection flags and --table (required;
// [schema.]table on PostgreSQL), for the commands that act on one table.
func (c *connFlags) resolveTable(table string) (tableFlags, error) {
	engine, conn, err := c.resolve()
	if err != nil {
		return tableFlags{}, err
	}
	if table == "" {
		return tableFlags{}, fmt.Errorf("--table is required")
	}
	schema, name, err := splitTable(engine, table)
	return tableFlags{engine, conn, schema, name}, err
}

// resolveTables resolves a repeated --table: each named once, at least one.
func (c *connFlags) resolveTables(tables []string) ([]tableFlags, error) {
	if len(tables) == 0 {
		return nil, fmt.Errorf("--table is required")
	}
	seen := map[string]bool{}
	var out []tableFlags
	for _, t := range tables {
		tf, err := c.resolveTable(t)
		if err != nil {
			return nil, err
		}
		key := tf.schema + "." + tf.table
		if seen[key] {
			return nil, fmt.Errorf("--table %s is given twice: name each table once", t)
		}
		seen[key] = true
		out = append(out, tf)
	}
	return out, nil
}
